package dev.streamhook.capture;

import dev.streamhook.event.Lsn;
import dev.streamhook.store.Backfills;
import dev.streamhook.store.Backfills.Backfill;
import dev.streamhook.store.Ids;
import dev.streamhook.store.Sources;
import dev.streamhook.store.Sources.Source;
import dev.streamhook.store.Sources.Status;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds, edits and removes sources: validates the user's database, creates the publication and slot
 * (named after the source id), stores the source and starts its capture; edits the publication and
 * restarts capture when the source's settings change; and the reverse.
 * Thread-safe as its parts are.
 */
public final class SourceManager {

    private static final Logger log = LoggerFactory.getLogger(SourceManager.class);
    private final Sources sources;
    private final SourceDatabase sourceDatabase;
    private final CaptureSupervisor supervisor;
    private final SourceCheckPool checks;
    private final Backfills backfills;

    public SourceManager(Sources sources, SourceDatabase sourceDatabase, CaptureSupervisor supervisor, SourceCheckPool checks,
                         Backfills backfills) {
        this.backfills = backfills;
        this.sources = sources;
        this.sourceDatabase = sourceDatabase;
        this.supervisor = supervisor;
        this.checks = checks;
    }

    /**
     * Creates a source: validates the database, stores the source, then makes its publication and
     * slot. In that order (R6): a crash after the store leaves a row the next start finds and cleans
     * up ({@link #cleanUpUnfinished}), never a slot nobody knows of. {@code tableNames} may be
     * {@link Sources#ALL_TABLES}: every capturable table, and those created later. {@code snapshot}:
     * also send every existing row of the tables (each table must have a primary key); the snapshot
     * starts once the source has a destination and runs while capture streams.
     */
    public Source create(String accountId, String name, String connectionUri, List<String> tableNames, boolean snapshot) {
        ConnectionSpec spec = ConnectionSpec.parse(connectionUri);
        boolean all = tableNames.equals(Sources.ALL_TABLES);
        List<TableName> tables = all ? List.of() : parseTables(tableNames);
        String id = Ids.random("src_", 16);
        String slot = "streamhook_" + id;
        Source source = new Source(id, accountId, name, "postgresql", connectionUri, spec.database(),
                all ? Sources.ALL_TABLES : tables.stream().map(TableName::toString).toList(), slot, slot, Status.STARTING, null, Lsn.ZERO,
                0, null, System.currentTimeMillis());
        checks.run(() -> {
            sourceDatabase.validate(spec, tables);
            List<TableName> published = all ? sourceDatabase.capturableTables(spec) : tables;
            if (snapshot) {
                sourceDatabase.checkSnapshotable(spec, published);
            }
            sources.insert(source);
            try {
                if (snapshot) { // with the source: a crash before the slot is made removes both (deleted with their source)
                    backfills.create(id, Backfills.Kind.SNAPSHOT, published.stream().map(TableName::toString).toList(),
                            System.currentTimeMillis());
                }
                sourceDatabase.createReplication(spec, slot, slot, published); // drops what it made when it fails
            } catch (RuntimeException e) {
                sources.delete(id);
                throw e;
            }
            return null;
        });
        sources.markSlotCreated(id, System.currentTimeMillis());
        Source stored = sources.byId(id).orElseThrow(); // deleted meanwhile: the caller's 500
        supervisor.start(stored); // as stored: with the event tag the store gave it
        return stored;
    }

    /**
     * Cleans up a source whose creation did not finish (the node stopped between storing it and
     * making its slot; the user never got it): drops whatever of its slot and publication exists and
     * forgets it, in the background. When its database cannot be reached, the source stays in
     * status {@code error} saying so, and the next start tries again (or the user deletes it).
     */
    public void cleanUpUnfinished(Source source) {
        Thread.ofVirtual().name("clean-up-" + source.id()).start(() -> {
            try {
                sourceDatabase.dropReplication(ConnectionSpec.parse(source.connectionUri()), source.slotName(), source.publicationName());
                sources.delete(source.id());
                log.info("source {}: its creation had not finished; its slot and publication were dropped and it was removed", source.id());
            } catch (RuntimeException e) {
                sources.setStatus(source.id(), Status.ERROR, "creating this source did not finish (StreamHook stopped meanwhile) and its "
                        + "replication slot '" + source.slotName() + "' could not be dropped yet (" + e.getMessage() + "); the next start "
                        + "tries again, or DELETE the source");
            }
        });
    }

    /**
     * Replaces the lost slot of a source in status {@code error} with a new one at the database's
     * current position and restarts capture. Changes made between the loss and now are not captured;
     * a backfill sends the rows as they are now.
     */
    public Source recreateSlot(Source source) {
        supervisor.stop(source.id()); // the runner that gave up
        ConnectionSpec spec = ConnectionSpec.parse(source.connectionUri());
        checks.run(() -> {
            List<TableName> tables = source.allTables() ? sourceDatabase.capturableTables(spec) : parseTables(source.tables());
            sourceDatabase.recreateSlot(spec, source.slotName(), source.publicationName(), tables);
            return null;
        });
        sources.setStatus(source.id(), Status.STARTING, null);
        sources.markSlotCreated(source.id(), System.currentTimeMillis());
        Source updated = sources.byId(source.id()).orElseThrow();
        supervisor.start(updated);
        return updated;
    }

    /** Lists the tables of the database at {@code connectionUri}, before any source exists (address policy and check pool as on create). */
    public SourceDatabase.Discovery discover(String connectionUri) {
        ConnectionSpec spec = ConnectionSpec.parse(connectionUri);
        return checks.run(() -> sourceDatabase.discover(spec, null));
    }

    /** Lists the tables of the source's database, each marked with whether the source's publication holds it. */
    public SourceDatabase.Discovery tables(Source source) {
        ConnectionSpec spec = ConnectionSpec.parse(source.connectionUri());
        return checks.run(() -> sourceDatabase.discover(spec, source.publicationName()));
    }

    private static List<TableName> parseTables(List<String> names) {
        return List.copyOf(new LinkedHashSet<>(names.stream().map(TableName::parse).toList()));
    }

    /**
     * Adds a backfill of {@code tables} (names the source captures, as it lists them), after checking
     * that each has a primary key; it runs after the source's earlier backfills, while capture streams.
     */
    public Backfill backfill(Source source, List<TableName> tables) {
        ConnectionSpec spec = ConnectionSpec.parse(source.connectionUri());
        checks.run(() -> {
            sourceDatabase.checkSnapshotable(spec, tables);
            return null;
        });
        Backfill created = backfills.create(source.id(), Backfills.Kind.BACKFILL, tables.stream().map(TableName::toString).toList(),
                System.currentTimeMillis());
        supervisor.wakeSnapshots(source.id());
        return created;
    }

    /**
     * Stops capture, drops the slot and publication, then forgets the source. When the database
     * cannot be reached the source is kept (and restarted) unless {@code force}, so that no slot is
     * left behind silently holding WAL.
     */
    public void delete(Source source, boolean force) {
        supervisor.stop(source.id());
        try {
            ConnectionSpec spec = ConnectionSpec.parse(source.connectionUri());
            checks.run(() -> {
                sourceDatabase.dropReplication(spec, source.slotName(), source.publicationName());
                return null;
            });
        } catch (SourceException e) {
            if (e.reason() == SourceException.Reason.BUSY) {
                supervisor.start(source); // not even tried: force must not forget a slot it never got to drop
                throw e;
            }
            if (!force) {
                supervisor.start(source);
                throw new SourceException(e.reason(), e.getMessage() + ". The source was kept; fix this and delete again, or delete "
                        + "with ?force=true and drop the slot '" + source.slotName() + "' yourself", e);
            }
        }
        sources.delete(source.id());
    }

    /**
     * Applies an edit of the source: each argument null leaves that setting as it is. New tables are
     * validated as on create, then published with ALTER PUBLICATION while capture streams on; a new
     * connection URI is validated, must reach the database holding the source's slot, and capture
     * restarts on it from that slot (nothing is missed or sent twice). Pausing stops delivery of the
     * source's events (capture keeps storing them, so the database keeps no WAL for StreamHook);
     * resuming sends the backlog in order. {@code replicaIdentity} sets tables' replica identity
     * ({@code full} or {@code default}; only the table's owner may). Returns the source as stored
     * afterwards.
     */
    public Source update(Source source, String name, List<String> tableNames, String connectionUri, Boolean paused,
                         Map<String, String> replicaIdentity) {
        String uri = connectionUri == null ? source.connectionUri() : connectionUri;
        ConnectionSpec spec = ConnectionSpec.parse(uri);
        List<String> names = tableNames == null ? source.tables() : tableNames;
        boolean all = names.equals(Sources.ALL_TABLES);
        List<TableName> tables = all ? List.of() : parseTables(names);
        List<String> stored = all ? Sources.ALL_TABLES : tables.stream().map(TableName::toString).toList();
        boolean tablesChanged = !stored.equals(source.tables());
        boolean uriChanged = !uri.equals(source.connectionUri());
        Map<TableName, String> identities = new LinkedHashMap<>();
        (replicaIdentity == null ? Map.<String, String>of() : replicaIdentity).forEach((t, v) -> identities.put(TableName.parse(t), v));
        if (tablesChanged || uriChanged || !identities.isEmpty()) {
            checks.run(() -> { // off the request thread, with the capped timeout, like a create
                sourceDatabase.validate(spec, tables);
                if (uriChanged) {
                    sourceDatabase.checkSlotReachable(spec, source.slotName());
                }
                identities.forEach((table, identity) -> sourceDatabase.setReplicaIdentity(spec, table, identity));
                if (tablesChanged) {
                    sourceDatabase.setPublishedTables(spec, source.publicationName(), all ? sourceDatabase.capturableTables(spec) : tables);
                }
                return null;
            });
        }
        sources.update(source.id(), new Sources.Settings(name == null ? source.name() : name, stored, uri, spec.database()));
        if (paused != null && paused != source.paused()) {
            sources.setPaused(source.id(), paused, System.currentTimeMillis());
        }
        Source updated = sources.find(source.accountId(), source.id()).orElseThrow(); // deleted meanwhile: the caller's 500
        if (uriChanged) {
            supervisor.restart(updated);
        }
        if (tablesChanged || !identities.isEmpty()) {
            String id = updated.id(); // so the answer shows the tables' new replica identity; skipped when the pool is busy
            checks.runIfFree(() -> {
                supervisor.inspectNow(id);
                return java.util.Optional.empty();
            });
            updated = sources.find(source.accountId(), source.id()).orElseThrow();
        }
        return updated;
    }
}
