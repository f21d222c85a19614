package dev.streamhook.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamhook.net.AddressPolicy;
import dev.streamhook.net.AddressRefusedException;
import dev.streamhook.net.AllowedNetworks;
import dev.streamhook.net.GuardedSocketFactory;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The address check is made by the socket PgJDBC connects with, at connect time, on the address it
 * connects to: not only by the API before it hands the URI to the driver. A host name that resolves
 * to a refused address is refused by the driver's own connect.
 */
class GuardedConnectionIT {

    private final TestPostgres.Server pg = TestPostgres.embedded();
    private TestDb db;

    @BeforeEach
    void createDatabase() {
        db = pg.createDatabase();
    }

    @AfterEach
    void dropDatabase() {
        db.close();
    }

    private Connection connectThroughTheGuard(String host, AllowedNetworks allowed) throws SQLException {
        Properties p = GuardedSocketFactory.properties(allowed);
        p.setProperty("user", pg.superuser());
        p.setProperty("password", "");
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + pg.port() + "/" + db.name(), p);
    }

    @Test
    void theDriverConnectsToAnAllowedAddressThroughTheGuard() throws SQLException {
        try (Connection c = connectThroughTheGuard("localhost", AllowedNetworks.privateNetworks()); var s = c.createStatement();
             var rs = s.executeQuery("SELECT inet_client_addr()::text")) {
            rs.next();
            assertThat(rs.getString(1)).startsWith("127.0.0.1");
        }
    }

    @Test
    void aHostNameResolvingToARefusedAddressIsRefusedByTheDriversOwnConnect() {
        assertThatThrownBy(() -> connectThroughTheGuard("localhost", AllowedNetworks.none()))
                .isInstanceOf(SQLException.class)
                .cause().isInstanceOf(AddressRefusedException.class)
                .hasMessageContaining("the host 'localhost' resolves to").hasMessageContaining("outside the public internet");
    }

    @Test
    void aReplicationConnectionIsCheckedToo() {
        SourceDatabase hosted = new SourceDatabase(new AddressPolicy(AllowedNetworks.none()), Duration.ofSeconds(1));
        ConnectionSpec spec = ConnectionSpec.parse("postgres://" + pg.superuser() + "@localhost:" + pg.port() + "/" + db.name());

        assertThatThrownBy(() -> hosted.connectForReplication(spec)).isInstanceOf(SourceException.class)
                .extracting(e -> ((SourceException) e).reason()).isEqualTo(SourceException.Reason.ADDRESS_NOT_ALLOWED);
    }

    @Test
    void outsideTheOperatorsNetworksAClosedPortATimeoutAnUnknownRoleAndAWrongPasswordReadTheSame() throws Exception {
        int closedPort;
        try (var s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        // real driver failures, then described as for a database on the public internet (not the operator's network)
        SQLException refused = failure("jdbc:postgresql://127.0.0.1:" + closedPort + "/" + db.name(), "postgres");
        SQLException unknownRole = failure(pg.jdbcUrl(db.name()), "no_such_role");
        SQLException timedOut = new SQLException("The connection attempt failed.", "08001", new java.net.SocketTimeoutException("Connect timed out"));
        ConnectionSpec spec = ConnectionSpec.parse("postgres://app:pw@db.example.com:5432/" + db.name());

        SourceException[] publicErrors = {SourceDatabase.connectError(spec, refused, false), SourceDatabase.connectError(spec, unknownRole, false),
            SourceDatabase.connectError(spec, timedOut, false)};
        for (SourceException e : publicErrors) {
            assertThat(e.reason()).isEqualTo(SourceException.Reason.CONNECTION_FAILED);
            assertThat(e.getMessage()).isEqualTo(publicErrors[0].getMessage()).contains("db.example.com:5432")
                    .doesNotContain("refused", "no_such_role", "timed out");
        }
        assertThat(SourceDatabase.connectError(spec, refused, true).reason()).as("in the operator's own network: the detail")
                .isEqualTo(SourceException.Reason.UNREACHABLE);
        assertThat(SourceDatabase.connectError(spec, unknownRole, true).reason()).isEqualTo(SourceException.Reason.AUTHENTICATION_FAILED);
    }

    private static SQLException failure(String url, String user) {
        try (Connection ignored = DriverManager.getConnection(url, user, "")) {
            throw new AssertionError("connected to " + url);
        } catch (SQLException e) {
            return e;
        }
    }
}
