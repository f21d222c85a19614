package dev.streamhook.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.event.Lsn;
import dev.streamhook.testing.StoreBackend;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A lane's page read ({@link DeliveryQueue#pending}) finds its page through the lane index, on both
 * stores, over a backlog in which most deliveries are done: so its cost is that of the page, not of
 * the destination's history (the million-delivery figures of docs/bench/jmh.md rest on these plans).
 * On SQLite the page's events are then looked up by key; on PostgreSQL that is the planner's choice
 * by size.
 */
class LanePageQueryPlanIT {

    private static final int BACKLOG = 20_000;

    @TempDir
    Path dataDir;
    private Database db;

    @AfterEach
    void close() {
        if (db != null) {
            db.close();
        }
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void aPageOfPendingDeliveriesIsFoundThroughTheLaneIndexAndItsEventsByKey(StoreBackend backend) throws Exception {
        db = backend.fresh(dataDir).open();
        SecretBox secrets = SecretBox.load(Optional.empty(), dataDir);
        String account = new Accounts(db).create("plans@example.com").orElseThrow().account().id();
        new Sources(db, secrets).insert(new Sources.Source("src_1", account, "s", "postgresql", "postgres://u@h/d", "d",
                List.of("public.t"), "slot", "pub", Sources.Status.ACTIVE, null, Lsn.ZERO, 0, null, 0));
        for (String destination : List.of("dst_1", "dst_2")) {
            new Destinations(db, secrets).upsert(new Destinations.Destination(destination, "src_1", "http://127.0.0.1:1/x", null, null,
                    Map.of(), null, 0));
        }
        db.transaction(c -> {
            try (Statement s = c.createStatement()) {
                String numbers = backend == StoreBackend.POSTGRESQL
                        ? "SELECT g AS n FROM generate_series(1, " + BACKLOG + ") g"
                        : "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < " + BACKLOG + ") SELECT n FROM g";
                String body = backend == StoreBackend.POSTGRESQL ? "'\\x7b7d'::bytea" : "x'7b7d'";
                s.executeUpdate("INSERT INTO events (id, source_id, commit_lsn, position, schema_name, table_name, operation, row_key, "
                        + "committed_at, body, created_at) SELECT 'evt_' || n, 'src_1', n, 0, 'public', 't', 'INSERT', 'k' || n, 0, "
                        + body + ", 0 FROM (" + numbers + ") numbers");
                // two destinations' lanes, most delivered, as a store that has run for a while holds them
                s.executeUpdate("INSERT INTO deliveries (event_seq, destination_id, row_key, status, attempts, next_attempt_at) "
                        + "SELECT seq, d.id, row_key, CASE WHEN seq % 10 = 0 THEN 'PENDING' WHEN seq % 97 = 0 THEN 'FAILED' ELSE 'SUCCEEDED' END, "
                        + "0, 0 FROM events, destinations d");
                s.execute("ANALYZE");
            }
            return null;
        });

        for (boolean withFailed : List.of(false, true)) {
            String plan = plan(backend, withFailed);
            if (backend == StoreBackend.POSTGRESQL) {
                // how the page's 500 events are fetched is the planner's choice by size: with 20,000 events it
                // hashes a scan of them, with 1,000,000 it looks each up by key (docs/bench/jmh.md)
                assertThat(plan).as(plan).containsPattern("Index (Only )?Scan on deliveries_lane|Bitmap Index Scan on deliveries_lane")
                        .doesNotContain("Seq Scan on deliveries");
            } else {
                assertThat(plan).as(plan).containsPattern("SEARCH deliveries USING (COVERING )?INDEX deliveries_lane")
                        .doesNotContainPattern("SCAN (deliveries|e|events)\\b").contains("SEARCH e USING INTEGER PRIMARY KEY");
            }
        }
        assertThat(new DeliveryQueue(db).pending("dst_1", BACKLOG / 2, 100)).as("the statement runs and reads its page").hasSize(100);
    }

    /** The plan of the page read with a cursor halfway through the backlog, one line per step. */
    private String plan(StoreBackend backend, boolean withFailed) {
        return db.read(c -> {
            String explain = (backend == StoreBackend.POSTGRESQL ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + DeliveryQueue.pendingSql(withFailed);
            try (PreparedStatement q = c.prepareStatement(explain)) {
                int i = 0;
                for (String status : withFailed ? List.of("PENDING", "FAILED") : List.of("PENDING")) {
                    q.setString(++i, "dst_1");
                    q.setString(++i, status);
                    q.setLong(++i, BACKLOG / 2);
                    q.setInt(++i, 500);
                }
                q.setInt(++i, 500);
                List<String> lines = new ArrayList<>();
                try (ResultSet rs = q.executeQuery()) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        lines.add(rs.getString(columns)); // PostgreSQL's one column; SQLite's detail, the last
                    }
                }
                return String.join("\n", lines);
            }
        });
    }
}
