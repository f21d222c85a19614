package dev.streamhook.testing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What most delivery tests start from: for each test a fresh database of the embedded PostgreSQL
 * with a table {@code items (id int PRIMARY KEY, name text)}, and a webhook receiver on 127.0.0.1;
 * both closed after the test. Tests extend it and use {@link #db} and {@link #receiver}.
 */
public abstract class ItemsAndReceiver {

    protected TestDb db;
    protected WebhookReceiver receiver;

    @BeforeEach
    void createItemsAndReceiver() {
        db = TestPostgres.embedded().createDatabase();
        db.execute("CREATE TABLE items (id int PRIMARY KEY, name text)");
        receiver = new WebhookReceiver();
    }

    @AfterEach
    void closeItemsAndReceiver() {
        receiver.close();
        db.close();
    }
}
