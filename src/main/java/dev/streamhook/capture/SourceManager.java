package dev.streamhook.capture;

import dev.streamhook.event.Lsn;
import dev.streamhook.store.Backfills;
import dev.streamhook.store.Backfills.Backfill;
import dev.streamhook.store.Ids;
import dev.streamhook.store.Sources;
import dev.streamhook.store.Sources.Source;
import dev.streamhook.store.Sources.Status;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Adds, edits and removes sources: validates the user's database, creates the publication and slot
 * (named after the source id), stores the source and starts its capture; edits the publication and
 * restarts capture when the source's settings change; and the reverse.
 * Thread-safe as its parts are.
 */
public final class SourceManager {

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
     * {@code snapshot}: also send every existing row of the tables (each table must have a primary
     * key); the snapshot starts once the source has a destination and runs while capture streams.
     */
    public Source create(String accountId, String name, String connectionUri, List<String> tableNames, boolean snapshot) {
        ConnectionSpec spec = ConnectionSpec.parse(connectionUri);
        List<TableName> tables = List.copyOf(new LinkedHashSet<>(tableNames.stream().map(TableName::parse).toList()));
        String id = Ids.random("src_", 16);
        String slot = "streamhook_" + id;
        checks.run(() -> {
            sourceDatabase.validate(spec, tables);
            if (snapshot) {
                sourceDatabase.checkSnapshotable(spec, tables);
            }
            sourceDatabase.createReplication(spec, slot, slot, tables);
            return null;
        });
        Source source = new Source(id, accountId, name, "postgresql", connectionUri, spec.database(),
                tables.stream().map(TableName::toString).toList(), slot, slot, Status.STARTING, null, Lsn.ZERO, 0, null,
                System.currentTimeMillis());
        try {
            sources.insert(source);
            if (snapshot) {
                backfills.create(id, Backfills.Kind.SNAPSHOT, source.tables(), System.currentTimeMillis());
            }
        } catch (RuntimeException e) {
            if (snapshot) {
                sources.delete(id); // stored, but its snapshot was not: no half-made source is left
            }
            sourceDatabase.dropReplication(spec, slot, slot);
            throw e;
        }
        supervisor.start(source);
        return source;
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
     * resuming sends the backlog in order. Returns the source as stored afterwards.
     */
    public Source update(Source source, String name, List<String> tableNames, String connectionUri, Boolean paused) {
        String uri = connectionUri == null ? source.connectionUri() : connectionUri;
        ConnectionSpec spec = ConnectionSpec.parse(uri);
        List<TableName> tables = tableNames == null
                ? source.tables().stream().map(TableName::parse).toList()
                : List.copyOf(new LinkedHashSet<>(tableNames.stream().map(TableName::parse).toList()));
        boolean tablesChanged = !tables.stream().map(TableName::toString).toList().equals(source.tables());
        boolean uriChanged = !uri.equals(source.connectionUri());
        if (tablesChanged || uriChanged) {
            checks.run(() -> { // off the request thread, with the capped timeout, like a create
                sourceDatabase.validate(spec, tables);
                if (uriChanged) {
                    sourceDatabase.checkSlotReachable(spec, source.slotName());
                }
                if (tablesChanged) {
                    sourceDatabase.setPublishedTables(spec, source.publicationName(), tables);
                }
                return null;
            });
        }
        sources.update(source.id(), new Sources.Settings(name == null ? source.name() : name,
                tables.stream().map(TableName::toString).toList(), uri, spec.database()));
        if (paused != null && paused != source.paused()) {
            sources.setPaused(source.id(), paused, System.currentTimeMillis());
        }
        Source updated = sources.find(source.accountId(), source.id()).orElseThrow(); // deleted meanwhile: the caller's 500
        if (uriChanged) {
            supervisor.restart(updated);
        }
        return updated;
    }
}
