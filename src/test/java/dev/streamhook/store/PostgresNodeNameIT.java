package dev.streamhook.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.streamhook.Main;
import dev.streamhook.config.StoreUrl;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.StoreBackend;
import dev.streamhook.testing.TestNodes;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes on several hosts share one PostgreSQL store; two of them with one name would both send
 * every lane. A node holds its name on the store, which no file lock on one host can do.
 */
class PostgresNodeNameIT {

    @TempDir
    Path dataDir;
    private String postgresUrl;
    private StoreUrl url;
    private Database store;
    private final List<AutoCloseable> taken = new ArrayList<>();

    @BeforeEach
    void aPostgresStore() {
        StoreBackend.Location location = StoreBackend.POSTGRESQL.fresh(dataDir);
        postgresUrl = location.postgresUrl();
        url = StoreUrl.parse("STREAMHOOK_DATABASE_URL", postgresUrl);
        store = location.open();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : taken) {
            c.close();
        }
        store.close();
    }

    @Test
    void aSecondNodeOfTheSameNameIsRefusedWithWhereTheFirstRunsAndTheSettingToChange() {
        take("node-a");
        assertThatThrownBy(() -> take("node-a")).isInstanceOf(StoreException.class)
                .hasMessageContaining("another StreamHook node named 'node-a' is running on the PostgreSQL store")
                .hasMessageContaining("connected from 127.0.0.1")
                .hasMessageContaining("STREAMHOOK_NODE_ID");
        assertThat(take("node-b").problem()).as("another name").isEmpty();
    }

    @Test
    void aServerStartedOnAnotherHostWithTheNameOfARunningOneRefusesToStartAndTheNameIsFreeOnceTheFirstStopped(@TempDir Path otherHost) {
        Map<String, String> sameName = Map.of("STREAMHOOK_DATABASE_URL", postgresUrl, "STREAMHOOK_NODE_ID", "node-a");
        try (Main.Node first = TestNodes.start(dataDir, sameName)) {
            assertThatThrownBy(() -> TestNodes.start(otherHost, sameName).close())
                    .hasMessageContaining("another StreamHook node named 'node-a' is running on the PostgreSQL store");
            assertThat(new ApiClient(first.port()).get("/readyz").status()).as("the first goes on").isEqualTo(200);
        }
        try (Main.Node second = TestNodes.start(otherHost, sameName)) {
            assertThat(new ApiClient(second.port()).get("/readyz").status()).isEqualTo(200);
        }
    }

    @Test
    void aNodesNameIsFreeForItsNextStartOnceItStopped() {
        PostgresNodeName first = take("node-a");
        first.close();
        assertThat(take("node-a").problem()).isEmpty();
    }

    @Test
    void aNodeWhoseConnectionDroppedSaysSoIfAnotherTookItsNameAndTakesItBackWhenFree() {
        PostgresNodeName first = PostgresNodeName.take(url, "node-a", 2_000); // looks after the usurper took the name
        taken.add(first);
        assertThat(endNameConnections()).isEqualTo(1);
        PostgresNodeName usurper = take("node-a"); // its connection was down: the name was free
        await().atMost(Duration.ofSeconds(10)).until(() -> first.problem().isPresent());
        assertThat(first.problem().orElseThrow()).contains("another node named 'node-a' took this node's name on the store");

        usurper.close();
        await("the name is this node's again").atMost(Duration.ofSeconds(10)).until(() -> first.problem().isEmpty());
        assertThatThrownBy(() -> take("node-a")).hasMessageContaining("another StreamHook node named 'node-a'");
    }

    @Test
    void aNodeWhoseConnectionDroppedTakesItsNameAgainWhenNobodyElseDid() {
        PostgresNodeName first = PostgresNodeName.take(url, "node-a", 100);
        taken.add(first);
        List<Integer> before = namePids();
        assertThat(endNameConnections()).isEqualTo(1);
        await("connected again, holding the name").atMost(Duration.ofSeconds(10))
                .until(() -> namePids().size() == 1 && !namePids().equals(before));
        assertThat(first.problem()).isEmpty();
        assertThatThrownBy(() -> take("node-a")).hasMessageContaining("another StreamHook node named 'node-a'");
    }

    private PostgresNodeName take(String nodeId) {
        PostgresNodeName name = PostgresNodeName.take(url, nodeId, 100);
        taken.add(name);
        return name;
    }

    private int endNameConnections() {
        return store.read(c -> {
            try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) "
                    + "FROM pg_stat_activity WHERE application_name = 'streamhook node name' AND datname = current_database()")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    private List<Integer> namePids() {
        return store.read(c -> {
            try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT pid FROM pg_stat_activity "
                    + "WHERE application_name = 'streamhook node name' AND datname = current_database() ORDER BY pid")) {
                List<Integer> pids = new ArrayList<>();
                while (rs.next()) {
                    pids.add(rs.getInt(1));
                }
                return pids;
            }
        });
    }
}
