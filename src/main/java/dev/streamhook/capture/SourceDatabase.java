package dev.streamhook.capture;

import dev.streamhook.capture.SourceException.Reason;
import dev.streamhook.net.AddressPolicy;
import dev.streamhook.net.AddressRefusedException;
import dev.streamhook.net.GuardedSocketFactory;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * What StreamHook does to a user's database over plain SQL: checks that it can capture from it,
 * lists its tables, creates the publication and slot, inspects the slot (lag, loss) and the
 * tables' replica identities, and drops both again. Each call opens
 * and closes its own connection. Every failure is a {@link SourceException} whose message says how
 * to fix it.
 */
public final class SourceDatabase {

    private final AddressPolicy addressPolicy;
    private final Duration slotCreationTimeout;

    /** {@code slotCreationTimeout}: how long slot creation may wait for running transactions to end. */
    public SourceDatabase(AddressPolicy addressPolicy, Duration slotCreationTimeout) {
        this.addressPolicy = addressPolicy;
        this.slotCreationTimeout = slotCreationTimeout;
    }

    /** Checks everything capture needs before anything is created. */
    public void validate(ConnectionSpec spec, List<TableName> tables) {
        try (Connection c = connect(spec)) {
            String walLevel = scalar(c, "SHOW wal_level");
            if (!"logical".equals(walLevel)) {
                throw new SourceException(Reason.WAL_LEVEL_NOT_LOGICAL, "wal_level is '" + walLevel + "' but capture needs 'logical': run "
                        + "ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL (on a managed service, turn on its logical replication setting)");
            }
            if (!"true".equals(scalar(c, "SELECT (rolreplication OR rolsuper)::text FROM pg_roles WHERE rolname = current_user"))) {
                throw new SourceException(Reason.REPLICATION_NOT_PERMITTED, "role '" + spec.user() + "' may not replicate: run ALTER ROLE "
                        + TableName.quote(spec.user()) + " WITH REPLICATION; as a superuser");
            }
            for (TableName t : tables) {
                checkTable(c, spec.user(), t);
            }
        } catch (SQLException e) {
            throw databaseError("checking the source database", e);
        }
    }

    private static void checkTable(Connection c, String user, TableName t) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("""
                SELECT has_table_privilege(c.oid, 'SELECT'),
                       pg_has_role(c.relowner, 'USAGE') OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')""")) {
            q.setString(1, t.schema());
            q.setString(2, t.table());
            ResultSet rs = q.executeQuery();
            if (!rs.next()) {
                throw new SourceException(Reason.TABLE_NOT_FOUND, "table " + t + " does not exist (names are exact; a name without a schema means public.name)");
            }
            if (!rs.getBoolean(1)) {
                throw new SourceException(Reason.TABLE_NOT_READABLE, "role '" + user + "' may not read " + t + ": run GRANT SELECT ON "
                        + t.quoted() + " TO " + TableName.quote(user) + ";");
            }
            if (!rs.getBoolean(2)) {
                throw new SourceException(Reason.TABLE_NOT_OWNED, "role '" + user + "' must own " + t + " to publish it (CREATE PUBLICATION "
                        + "needs ownership): connect as the table's owner or a superuser, or run ALTER TABLE " + t.quoted() + " OWNER TO "
                        + TableName.quote(user) + ";");
            }
        }
    }

    /**
     * Creates the publication of {@code tables} and then the slot, so the slot sees the publication.
     * Creating a slot waits for the transactions running on the server to end; the server cancels
     * the wait after the slot creation timeout, and whatever was created is dropped again
     * on a fresh connection, so a failed attempt leaves nothing holding WAL.
     */
    public void createReplication(ConnectionSpec spec, String slot, String publication, List<TableName> tables) {
        try (Connection c = connect(spec); Statement s = c.createStatement()) {
            String list = String.join(", ", tables.stream().map(TableName::quoted).toList());
            // no tables: every-table capture of a database without a capturable table yet; they are added as they appear
            s.execute("CREATE PUBLICATION " + TableName.quote(publication) + (tables.isEmpty() ? "" : " FOR TABLE " + list)
                    + " WITH (" + publicationOptions(c) + ")");
            createSlot(c, slot);
        } catch (SQLException | SourceException e) {
            try {
                dropReplication(spec, slot, publication);
            } catch (SourceException cleanupFailed) {
                e.addSuppressed(cleanupFailed);
            }
            throw creationError(e);
        }
    }

    private void createSlot(Connection c, String slot) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET statement_timeout = " + slotCreationTimeout.toMillis());
        }
        try (PreparedStatement create = c.prepareStatement("SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
            create.setString(1, slot);
            create.execute();
        }
    }

    /**
     * Replaces a lost slot (dropped or invalidated outside StreamHook) with a new one at the
     * server's current position, creating the publication again with {@code tables} if it went too.
     * Changes between the loss and now are not in the new slot.
     */
    public void recreateSlot(ConnectionSpec spec, String slot, String publication, List<TableName> tables) {
        try (Connection c = connect(spec)) {
            dropSlot(c, slot);
            try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
                q.setString(1, publication);
                if (!q.executeQuery().next()) {
                    try (Statement s = c.createStatement()) {
                        s.execute("CREATE PUBLICATION " + TableName.quote(publication)
                                + (tables.isEmpty() ? "" : " FOR TABLE " + String.join(", ", tables.stream().map(TableName::quoted).toList())));
                    }
                }
            }
            createSlot(c, slot);
        } catch (SQLException e) {
            throw creationError(e);
        }
    }

    private SourceException creationError(Exception e) {
        if (e instanceof SourceException se) {
            return se;
        }
        SQLException sql = (SQLException) e;
        if ("53400".equals(sql.getSQLState())) {
            return new SourceException(Reason.REPLICATION_SLOTS_EXHAUSTED, "the database has no free replication slot: raise "
                    + "max_replication_slots and restart PostgreSQL, or drop an unused slot", e);
        }
        if ("57014".equals(sql.getSQLState())) {
            return new SourceException(Reason.SOURCE_DATABASE_ERROR, "creating the replication slot waited " + slotCreationTimeout.toSeconds()
                    + " s for running transactions to end; end long-running or idle-in-transaction sessions "
                    + "(see pg_stat_activity) and try again", e);
        }
        return databaseError("creating the publication and replication slot", sql);
    }

    /**
     * Drops the slot and the publication; a missing one is fine. A walsender still holding the slot
     * (capture was just stopped, and the server has not noticed yet) is ended first.
     */
    public void dropReplication(ConnectionSpec spec, String slot, String publication) {
        try (Connection c = connect(spec); Statement s = c.createStatement()) {
            for (int attempt = 1; ; attempt++) {
                try {
                    dropSlot(c, slot);
                    break;
                } catch (SQLException e) {
                    if (!"55006".equals(e.getSQLState()) || attempt == 20) {
                        throw e;
                    }
                    sleep(250);
                }
            }
            s.execute("DROP PUBLICATION IF EXISTS " + TableName.quote(publication));
        } catch (SQLException e) {
            throw databaseError("dropping the replication slot " + slot, e);
        }
    }

    private static void dropSlot(Connection c, String slot) throws SQLException {
        try (PreparedStatement end = c.prepareStatement(
                "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = ? AND active_pid IS NOT NULL");
             PreparedStatement drop = c.prepareStatement(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
            end.setString(1, slot);
            end.execute();
            drop.setString(1, slot);
            drop.execute();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The options every publication of ours has: a partition's changes are reported under its
     * root table (the table the user named), and from PostgreSQL 18 on, stored generated columns
     * are published like others (before 18 the server never sends them).
     */
    private static String publicationOptions(Connection c) throws SQLException {
        return "publish_via_partition_root = true"
                + (c.getMetaData().getDatabaseMajorVersion() >= 18 ? ", publish_generated_columns = stored" : "");
    }

    /**
     * Gives a publication made by an earlier version the options of {@link #publicationOptions}.
     * Capture calls it at the start of each session, on its catalog connection; the changes decoded
     * after this commit follow the options.
     */
    static void upgradePublication(Connection c, String publication) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("ALTER PUBLICATION " + TableName.quote(publication) + " SET (" + publicationOptions(c) + ")");
        }
    }

    /**
     * Makes the publication publish exactly {@code tables}. A running capture session follows: the
     * server decodes changes after this commit with the new list, so no restart is needed.
     */
    public void setPublishedTables(ConnectionSpec spec, String publication, List<TableName> tables) {
        try (Connection c = connect(spec)) {
            TableCatalog.publishExactly(c, publication, tables);
        } catch (SQLException e) {
            throw databaseError("changing the published tables", e);
        }
    }

    /**
     * What the role of {@code spec} finds in the database: the settings capture needs and every
     * table of its own schemas; {@code published}: the tables a source's publication holds, null
     * before a source exists.
     */
    public record Discovery(String serverVersion, String walLevel, boolean canReplicate, List<TableInfo> tables,
                            java.util.Set<TableName> published) {
    }

    /** Lists the database's tables with their keys and replica identities, and whether capture can work at all. */
    public Discovery discover(ConnectionSpec spec, String publication) {
        try (Connection c = connect(spec)) {
            return new Discovery(scalar(c, "SHOW server_version"), scalar(c, "SHOW wal_level"),
                    "true".equals(scalar(c, "SELECT (rolreplication OR rolsuper)::text FROM pg_roles WHERE rolname = current_user")),
                    TableCatalog.tables(c), publication == null ? null : TableCatalog.published(c, publication));
        } catch (SQLException e) {
            throw databaseError("listing the tables", e);
        }
    }

    /** Every table the role may capture safely ({@link TableInfo#capturable()}): what {@code "tables": "*"} publishes. */
    public List<TableName> capturableTables(ConnectionSpec spec) {
        try (Connection c = connect(spec)) {
            return TableCatalog.capturable(c);
        } catch (SQLException e) {
            throw databaseError("listing the tables", e);
        }
    }

    /** Sets a table's replica identity ({@code full} or {@code default}); only its owner may. */
    public void setReplicaIdentity(ConnectionSpec spec, TableName table, String identity) {
        try (Connection c = connect(spec)) {
            TableCatalog.setReplicaIdentity(c, table, identity, spec.user());
        } catch (SQLException e) {
            throw databaseError("changing the replica identity of " + table, e);
        }
    }

    /**
     * Checks that {@code spec} reaches the database holding the source's slot, so that capture can
     * resume from it after the connection URI changed (a new password, host name or port).
     */
    public void checkSlotReachable(ConnectionSpec spec, String slot) {
        try (Connection c = connect(spec);
             PreparedStatement q = c.prepareStatement("SELECT database = current_database() FROM pg_replication_slots WHERE slot_name = ?")) {
            q.setString(1, slot);
            ResultSet rs = q.executeQuery();
            if (!rs.next() || !rs.getBoolean(1)) {
                throw new SourceException(Reason.SLOT_NOT_FOUND, "the database at " + spec.host() + ":" + spec.port() + "/" + spec.database()
                        + " has no replication slot '" + slot + "' of this source; a new connection_uri must reach the same database "
                        + "(create a new source to capture from another one)");
            }
        } catch (SQLException e) {
            throw databaseError("looking for the replication slot " + slot, e);
        }
    }

    /**
     * What capture checks of its slot: that it exists in this database and still has its WAL
     * ({@code wal_status} is not {@code lost}). {@code problem} is empty when it can be streamed.
     */
    public record SlotState(boolean exists, String walStatus, Long lagBytes) {
        public Optional<String> problem(String slot) {
            if (!exists) {
                return Optional.of("the replication slot '" + slot + "' no longer exists (dropped outside StreamHook, e.g. by "
                        + "pg_drop_replication_slot or a failover to a replica without it); changes since are lost to it. "
                        + "Recover with POST /v1/sources/:id/recreate_slot, then backfill what you need");
            }
            if ("lost".equals(walStatus)) {
                return Optional.of("the replication slot '" + slot + "' was invalidated by the database (wal_status = lost: its WAL "
                        + "passed max_slot_wal_keep_size or was removed); changes since are lost to it. Recover with "
                        + "POST /v1/sources/:id/recreate_slot, then backfill what you need");
            }
            return Optional.empty();
        }
    }

    /** Reads the slot's state on an open connection to the source's database. */
    static SlotState slotState(Connection c, String slot) throws SQLException {
        // no lag on a standby (PostgreSQL 16+ decodes there): pg_current_wal_lsn() fails during recovery
        try (PreparedStatement q = c.prepareStatement("SELECT wal_status, CASE WHEN pg_is_in_recovery() THEN NULL "
                + "ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint END "
                + "FROM pg_replication_slots WHERE slot_name = ? AND database = current_database()")) {
            q.setString(1, slot);
            ResultSet rs = q.executeQuery();
            if (!rs.next()) {
                return new SlotState(false, null, null);
            }
            long lag = rs.getLong(2);
            return new SlotState(true, rs.getString(1), rs.wasNull() ? null : lag);
        }
    }

    /**
     * What capture inspects every few seconds: the slot's state and lag, and the replica identity of
     * {@code tables}. With {@code allTables}, capturable tables created since are first added to the
     * publication (every-table capture without a superuser: see {@link TableInfo#capturable()}).
     */
    public record Inspection(SlotState slot, List<TableInfo> tables, List<TableName> added) {
    }

    public Inspection inspect(ConnectionSpec spec, String slot, String publication, List<TableName> tables, boolean allTables) {
        try (Connection c = connect(spec)) {
            List<TableName> added = List.of();
            List<TableName> watched = tables;
            if (allTables) {
                watched = TableCatalog.capturable(c);
                added = TableCatalog.publishExactly(c, publication, watched);
            }
            return new Inspection(slotState(c, slot), TableCatalog.tables(c, watched), added);
        } catch (SQLException e) {
            throw databaseError("inspecting the replication slot " + slot, e);
        }
    }

    /** Opens a SQL connection to a checked address (see {@link #open}). */
    public Connection connect(ConnectionSpec spec) {
        return open(spec, spec.sqlProperties());
    }

    /**
     * Opens a SQL connection for reading snapshot chunks: every value in text, so that each is the
     * type's output, exactly as pgoutput sends it (PgJDBC would read some types in binary otherwise).
     */
    public Connection connectForSnapshot(ConnectionSpec spec) {
        Properties properties = spec.sqlProperties();
        properties.setProperty("binaryTransfer", "false");
        return open(spec, properties);
    }

    /** Checks that each table can be read by a snapshot (it has a primary key to read it in order by). */
    public void checkSnapshotable(ConnectionSpec spec, List<TableName> tables) {
        try (Connection c = connect(spec)) {
            for (TableName t : tables) {
                TableChunks.describe(c, t);
            }
        } catch (SQLException e) {
            throw databaseError("reading the tables' primary keys", e);
        }
    }

    /** Opens a logical replication (walsender) connection to a checked address (see {@link #open}). */
    public Connection connectForReplication(ConnectionSpec spec) {
        return open(spec, spec.replicationProperties());
    }

    /**
     * Checks the host's addresses, then lets PgJDBC connect through a {@link GuardedSocketFactory},
     * which resolves and checks again at connect time and connects only to what it checked. The
     * first check gives the usual message; the second is the one a rebinding DNS server cannot get
     * past. Connection failures become reasons; where the database is not in a network the operator
     * allowed by name, refused ports, timeouts and rejected logins read the same (see
     * {@link #connectError}).
     */
    private Connection open(ConnectionSpec spec, Properties properties) {
        List<InetAddress> addresses;
        try {
            addresses = List.of(InetAddress.getAllByName(spec.host()));
        } catch (UnknownHostException e) {
            addresses = List.of();
        }
        addressPolicy.check(spec.host(), addresses).ifPresent(why -> {
            throw new SourceException(Reason.ADDRESS_NOT_ALLOWED, "cannot connect to the source: " + why);
        });
        boolean detailed = addresses.stream().allMatch(addressPolicy::operatorAllowed);
        properties.putAll(GuardedSocketFactory.properties(addressPolicy.allowed()));
        try {
            return DriverManager.getConnection(spec.jdbcUrl(), properties);
        } catch (SQLException e) {
            throw connectError(spec, e, detailed);
        }
    }

    /**
     * The reason a connection failed. {@code detailed}: the database is in a network the operator
     * allowed (self-hosted, their own network), so say exactly what failed. Otherwise a refused
     * port, a timeout, an unknown role and a wrong password give one and the same answer, so that
     * a user cannot probe which ports of a host answer or which roles exist (a timing difference
     * remains, bounded by the capped connect timeout).
     */
    static SourceException connectError(ConnectionSpec spec, SQLException e, boolean detailed) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AddressRefusedException refused) {
                return new SourceException(Reason.ADDRESS_NOT_ALLOWED, "cannot connect to the source: " + refused.getMessage(), e);
            }
        }
        SourceException precise = preciseConnectError(spec, e);
        if (!detailed && (precise.reason() == Reason.AUTHENTICATION_FAILED || precise.reason() == Reason.UNREACHABLE)) {
            return new SourceException(Reason.CONNECTION_FAILED, "cannot connect and log in to the database at " + spec.host() + ":"
                    + spec.port() + ". Check the host, port, user and password in connection_uri, and that PostgreSQL accepts TCP "
                    + "connections from StreamHook (listen_addresses, pg_hba.conf, firewall)", e);
        }
        return precise;
    }

    private static SourceException preciseConnectError(ConnectionSpec spec, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.equals("28P01") || state.equals("28000")) {
            return new SourceException(Reason.AUTHENTICATION_FAILED, "the database rejected user '" + spec.user() + "': "
                    + firstLine(e) + ". Check the user and password in connection_uri, and pg_hba.conf", e);
        }
        if (spec.password() == null && firstLine(e).contains("password")) {
            // PgJDBC's own refusal to answer a password request with the empty password StreamHook sends (never ~/.pgpass)
            return new SourceException(Reason.AUTHENTICATION_FAILED, "the database asks user '" + spec.user() + "' for a password and "
                    + "connection_uri has none. Check the user and password in connection_uri, and pg_hba.conf", e);
        }
        if (state.equals("3D000")) {
            return new SourceException(Reason.DATABASE_NOT_FOUND, "database '" + spec.database() + "' does not exist on "
                    + spec.host() + ":" + spec.port() + ". Check the database name in connection_uri", e);
        }
        if (state.startsWith("08") || hasNetworkCause(e)) {
            return new SourceException(Reason.UNREACHABLE, "cannot reach the database at " + spec.host() + ":" + spec.port() + " ("
                    + firstLine(e) + "). Check the host and port, and that PostgreSQL accepts TCP connections from StreamHook "
                    + "(listen_addresses, pg_hba.conf, firewall)", e);
        }
        return databaseError("connecting", e);
    }

    private static boolean hasNetworkCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException
                    || t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static SourceException databaseError(String doing, SQLException e) {
        return new SourceException(Reason.SOURCE_DATABASE_ERROR, "the source database failed while " + doing + ": " + firstLine(e), e);
    }

    /** The first line of an exception's message: PostgreSQL appends details users need not see. */
    static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static String scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
