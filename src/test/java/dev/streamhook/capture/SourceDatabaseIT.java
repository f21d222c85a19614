package dev.streamhook.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamhook.net.AddressPolicy;
import dev.streamhook.net.AllowedNetworks;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SourceDatabaseIT {

    private final SourceDatabase sourceDatabase = new SourceDatabase(new AddressPolicy(AllowedNetworks.privateNetworks()), Duration.ofSeconds(1));

    @Test
    void slotCreationBlockedByALongTransactionGivesUpAndLeavesNothingBehind() throws Exception {
        try (TestDb db = TestPostgres.embedded().createDatabase()) {
            db.execute("CREATE TABLE orders (id int PRIMARY KEY)");
            ConnectionSpec spec = ConnectionSpec.parse(db.uri());
            try (Connection open = db.connect(); Statement s = open.createStatement()) {
                open.setAutoCommit(false);
                s.execute("INSERT INTO orders VALUES (1)"); // holds an xid until rolled back

                assertThatThrownBy(() -> sourceDatabase.createReplication(spec, "streamhook_blocked", "streamhook_blocked",
                        List.of(TableName.parse("orders"))))
                        .isInstanceOf(SourceException.class)
                        .hasMessageContaining("waited 1 s for running transactions to end");
                open.rollback();
            }
            assertThat(db.slotCount("streamhook_blocked")).isZero();
            try (Connection c = db.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_publication WHERE pubname = 'streamhook_blocked'")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }
}
