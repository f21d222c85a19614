package dev.streamhook.store;

import dev.streamhook.event.EncodedEvent;
import dev.streamhook.event.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * The durable log of captured events. {@link #append} is the one place where a transaction of the
 * user's database becomes ours: its events, one pending delivery per (event, destination), and the
 * source's checkpoint are written in one store transaction (shared with whatever else was queued:
 * consecutive transactions are stored in one group commit). Capture confirms the LSN to PostgreSQL
 * only once the returned future completes.
 *
 * <p>Idempotent: an event id already stored (PostgreSQL resent the transaction after a crash) is
 * skipped with its deliveries, so a change is stored and delivered once.
 *
 * <p>Metered: the free plan ({@link Usage}) decides in the same transaction which new events go
 * out now; the deliveries of the others are inserted {@code HELD}, to be released in order later.
 *
 * <p>Thread-safety: any thread; appends of one source must be submitted in stream order (the
 * writer keeps submission order).
 */
public final class EventLog {

    private static final String INSERT_EVENT = "INSERT INTO events (id, source_id, commit_lsn, position, schema_name, table_name, "
            + "operation, row_key, old_row_key, committed_at, body, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING";
    /**
     * One statement fans the new events of a group out to every destination their source has at
     * that commit, set-based: the group's events are the source's events after the last one stored
     * before it. Nothing else adds to a source's log meanwhile: its appends are written one group at
     * a time, and each locks its account's usage row ({@link UsageMeter#admit}) before reading that
     * last one, so even two nodes could not interleave. A destination whose {@code operations}
     * leave an event's operation out gets it as SKIPPED; events from the first held one on (the
     * free plan's limit) are HELD.
     */
    private static final String INSERT_DELIVERIES = "INSERT INTO deliveries (event_seq, destination_id, row_key, status, attempts, next_attempt_at) "
            + "SELECT e.seq, t.id, e.row_key, CASE WHEN t.operations IS NULL OR (',' || t.operations || ',') LIKE ('%,' || e.operation || ',%') "
            + "THEN CASE WHEN e.seq < ? THEN 'PENDING' ELSE 'HELD' END ELSE 'SKIPPED' END, 0, ? "
            + "FROM events e JOIN destinations t ON t.source_id = e.source_id WHERE e.source_id = ? AND e.seq > ? "
            + "ON CONFLICT DO NOTHING";

    /** Events a group of appends stops growing at, so one store transaction stays bounded. */
    private static final int MAX_GROUP_EVENTS = 5_000;

    private final Database db;
    private final Usage usage;
    /** Per source, the group of appends waiting in the writer's queue that later appends may join. */
    private final java.util.concurrent.ConcurrentMap<String, Group> open = new java.util.concurrent.ConcurrentHashMap<>();

    public EventLog(Database db, Usage usage) {
        this.db = db;
        this.usage = usage;
    }

    /**
     * Queues the events of one committed transaction, or one chunk of a large one, for the next
     * group commit; the future gives how many were new. {@code endLsn} is the transaction's end,
     * given with its last chunk, and becomes the source's checkpoint; null for an earlier chunk.
     * An empty list writes nothing: the slot's confirmed position is the truth, the stored
     * checkpoint only informs.
     */
    public CompletableFuture<Integer> append(String sourceId, Lsn endLsn, List<EncodedEvent> events) {
        return append(sourceId, endLsn, events, () -> false);
    }

    /**
     * As above, for a stream of appends where one may not be stored after an earlier one failed:
     * when {@code abandoned} says so at the moment the store runs this append, it fails without
     * writing. Capture sets it when one of its appends failed, so no later transaction is stored
     * before the failed one is sent again (event order in the log is commit order).
     */
    public CompletableFuture<Integer> append(String sourceId, Lsn endLsn, List<EncodedEvent> events, BooleanSupplier abandoned) {
        return append(sourceId, endLsn, events, abandoned, null);
    }

    /**
     * As above, and runs {@code alongside} (when not null) in the same store transaction, even when
     * {@code events} is empty: a snapshot chunk's progress is stored with its events, or neither is.
     */
    public CompletableFuture<Integer> append(String sourceId, Lsn endLsn, List<EncodedEvent> events, BooleanSupplier abandoned,
                                             Database.Work<?> alongside) {
        if (events.isEmpty() && alongside == null) {
            return CompletableFuture.completedFuture(0);
        }
        Part part = new Part(endLsn, events, System.currentTimeMillis(), new CompletableFuture<>());
        if (alongside == null) {
            Group queued = open.get(sourceId);
            if (queued != null && queued.join(part, abandoned)) {
                return part.done();
            }
        } else {
            close(sourceId); // a later append must not join a group stored before this one
        }
        Group group = new Group(sourceId, abandoned, part);
        if (alongside == null) {
            open.put(sourceId, group);
        }
        db.submit(c -> {
            List<Part> parts = group.take(open);
            if (abandoned.getAsBoolean()) {
                throw new StoreException("an earlier transaction of this replication session was not stored");
            }
            int[] added = parts.get(0).events().isEmpty() ? new int[] {0} : write(c, usage, sourceId, parts);
            if (alongside != null) {
                alongside.run(c);
            }
            return added;
        }).whenComplete((added, error) -> {
            List<Part> parts = group.take(open); // closed here too, in case the writer never ran it
            int total = 0;
            for (int i = 0; i < parts.size(); i++) {
                if (error != null) {
                    parts.get(i).done().completeExceptionally(error);
                } else {
                    total += added[i];
                    parts.get(i).done().complete(added[i]);
                }
            }
            if (total > 0) {
                db.signals().eventsAppended(sourceId);
            }
        });
        return part.done();
    }

    private void close(String sourceId) {
        Group queued = open.remove(sourceId);
        if (queued != null) {
            queued.close();
        }
    }

    /** One append: a transaction, or a chunk of one. */
    private record Part(Lsn endLsn, List<EncodedEvent> events, long at, CompletableFuture<Integer> done) {
    }

    /**
     * Consecutive appends of one source, stored by one unit of the store's writer: the appends that
     * arrive while it waits in the writer's queue join it, so a stream of small transactions costs
     * one set of statements per commit rather than one per transaction. Closed when the writer takes
     * it (later appends start a new group, queued after it), so order in the log stays stream order.
     */
    private static final class Group {
        private final String sourceId;
        private final BooleanSupplier abandoned;
        private final List<Part> parts = new ArrayList<>();
        private int events;
        private boolean closed;

        Group(String sourceId, BooleanSupplier abandoned, Part first) {
            this.sourceId = sourceId;
            this.abandoned = abandoned;
            parts.add(first);
            events = first.events().size();
        }

        /** Joins {@code part} unless the writer took the group already, it is full, or it belongs to another session. */
        synchronized boolean join(Part part, BooleanSupplier sessionAbandoned) {
            if (closed || sessionAbandoned != abandoned || events + part.events().size() > MAX_GROUP_EVENTS) {
                return false;
            }
            parts.add(part);
            events += part.events().size();
            return true;
        }

        synchronized void close() {
            closed = true;
        }

        /** The writer takes the group: no append joins it any more. A unit may run twice; both runs see the same parts. */
        synchronized List<Part> take(java.util.concurrent.ConcurrentMap<String, Group> open) {
            closed = true;
            open.remove(sourceId, this);
            return List.copyOf(parts);
        }
    }

    /** Writes the parts in order, in one set of statements; gives how many events of each were new. */
    private static int[] write(Connection c, Usage usage, String sourceId, List<Part> parts) throws SQLException {
        List<EncodedEvent> events;
        if (parts.size() == 1) {
            events = parts.get(0).events();
        } else {
            events = new ArrayList<>();
            parts.forEach(p -> events.addAll(p.events()));
        }
        Lsn endLsn = null;
        for (Part p : parts) {
            endLsn = p.endLsn() == null ? endLsn : p.endLsn();
        }
        long now = parts.get(0).at();
        // metered before the events are numbered, so one account's appends are numbered in the order they were metered
        UsageMeter.Admission admission = usage.meter().admit(c, sourceId, events.size(), usage.currentPeriod());
        long lastSeqBefore = lastSeq(c, sourceId);
        int[] inserted;
        try (PreparedStatement ins = c.prepareStatement(INSERT_EVENT)) {
            for (EncodedEvent e : events) {
                ins.setString(1, e.id().value());
                ins.setString(2, e.sourceId());
                ins.setLong(3, e.commitLsn().value());
                ins.setInt(4, e.position());
                ins.setString(5, e.schema());
                ins.setString(6, e.table());
                ins.setString(7, e.operation().name());
                ins.setString(8, e.rowKey());
                ins.setString(9, e.oldRowKey());
                ins.setLong(10, e.commitTime().toEpochMilli());
                ins.setBytes(11, e.body());
                ins.setLong(12, now);
                ins.addBatch();
            }
            inserted = ins.executeBatch();
        }
        if (java.util.Arrays.stream(inserted).anyMatch(n -> n < 0)) {
            inserted = whichAreNew(c, sourceId, lastSeqBefore, events);
        }
        List<EncodedEvent> fresh = new ArrayList<>(events.size());
        int[] addedPerPart = new int[parts.size()];
        for (int p = 0, i = 0; p < parts.size(); p++) {
            for (int end = i + parts.get(p).events().size(); i < end; i++) {
                if (inserted[i] != 0) { // 0: stored before, PostgreSQL sent the transaction again
                    fresh.add(events.get(i));
                    addedPerPart[p]++;
                }
            }
        }
        int added = fresh.size();
        long[] asked = {-1, 0}; // {index, seq}: the meter and the fan-out ask for the same one, looked up once
        UsageMeter.FirstHeld firstHeld = i -> {
            if (asked[0] != i) {
                asked[1] = firstHeldSeq(c, sourceId, lastSeqBefore, i);
                asked[0] = i;
            }
            return asked[1];
        };
        int admitted = usage.meter().settle(c, admission, events.size(), added, firstHeld);
        long lastCommit = 0;
        if (added > 0) {
            try (PreparedStatement fanOut = c.prepareStatement(INSERT_DELIVERIES)) {
                fanOut.setLong(1, admitted < added ? firstHeld.seq(admitted) : Long.MAX_VALUE);
                fanOut.setLong(2, now);
                fanOut.setString(3, sourceId);
                fanOut.setLong(4, lastSeqBefore);
                fanOut.executeUpdate();
            }
            lastCommit = fresh.get(added - 1).commitTime().toEpochMilli();
            Stats.countEvents(c, sourceId, added, now);
        }
        try (PreparedStatement up = c.prepareStatement("UPDATE sources SET checkpoint_lsn = COALESCE(?, checkpoint_lsn), "
                + "events_captured = events_captured + ?, last_event_at = CASE WHEN ? > 0 THEN ? ELSE last_event_at END WHERE id = ?")) {
            if (endLsn == null) {
                up.setNull(1, java.sql.Types.BIGINT);
            } else {
                up.setLong(1, endLsn.value());
            }
            up.setInt(2, added);
            up.setLong(3, lastCommit);
            up.setLong(4, lastCommit);
            up.setString(5, sourceId);
            up.executeUpdate();
        }
        return addedPerPart;
    }

    /** The sequence number of the source's last stored event, 0 when it has none. */
    private static long lastSeq(Connection c, String sourceId) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT MAX(seq) FROM events WHERE source_id = ?")) {
            q.setString(1, sourceId);
            java.sql.ResultSet rs = q.executeQuery();
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /**
     * Which of {@code events} the batch stored, when the driver could not say (PgJDBC's
     * {@code reWriteBatchedInserts=true} in the store's URL answers SUCCESS_NO_INFO for every row):
     * 1 for a new one, 0 for one stored before (a transaction sent again).
     */
    private static int[] whichAreNew(Connection c, String sourceId, long lastSeqBefore, List<EncodedEvent> events) throws SQLException {
        java.util.Set<String> added = new java.util.HashSet<>();
        try (PreparedStatement q = c.prepareStatement("SELECT id FROM events WHERE source_id = ? AND seq > ?")) {
            q.setString(1, sourceId);
            q.setLong(2, lastSeqBefore);
            java.sql.ResultSet rs = q.executeQuery();
            while (rs.next()) {
                added.add(rs.getString(1));
            }
        }
        int[] inserted = new int[events.size()];
        for (int i = 0; i < inserted.length; i++) {
            inserted[i] = added.contains(events.get(i).id().value()) ? 1 : 0;
        }
        return inserted;
    }

    /** The sequence number of the group's event at {@code index} (0-based) in log order: its first held one. */
    private static long firstHeldSeq(Connection c, String sourceId, long lastSeqBefore, int index) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT seq FROM events WHERE source_id = ? AND seq > ? ORDER BY seq LIMIT 1 OFFSET ?")) {
            q.setString(1, sourceId);
            q.setLong(2, lastSeqBefore);
            q.setInt(3, index);
            java.sql.ResultSet rs = q.executeQuery();
            return rs.next() ? rs.getLong(1) : Long.MAX_VALUE;
        }
    }
}
