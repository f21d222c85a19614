package dev.streamhook.capture;

import dev.streamhook.event.Lsn;
import dev.streamhook.store.Ids;
import dev.streamhook.store.Sources;
import dev.streamhook.store.Sources.Source;
import dev.streamhook.store.Sources.Status;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * Adds and removes sources: validates the user's database, creates the publication and slot
 * (named after the source id), stores the source and starts its capture; and the reverse.
 * Thread-safe as its parts are.
 */
public final class SourceManager {

    private final Sources sources;
    private final SourceDatabase sourceDatabase;
    private final CaptureSupervisor supervisor;
    private final SourceCheckPool checks;

    public SourceManager(Sources sources, SourceDatabase sourceDatabase, CaptureSupervisor supervisor, SourceCheckPool checks) {
        this.sources = sources;
        this.sourceDatabase = sourceDatabase;
        this.supervisor = supervisor;
        this.checks = checks;
    }

    public Source create(String accountId, String name, String connectionUri, List<String> tableNames) {
        ConnectionSpec spec = ConnectionSpec.parse(connectionUri);
        List<TableName> tables = List.copyOf(new LinkedHashSet<>(tableNames.stream().map(TableName::parse).toList()));
        String id = Ids.random("src_", 16);
        String slot = "streamhook_" + id;
        checks.run(() -> {
            sourceDatabase.validate(spec, tables);
            sourceDatabase.createReplication(spec, slot, slot, tables);
            return null;
        });
        Source source = new Source(id, accountId, name, "postgresql", connectionUri, spec.database(),
                tables.stream().map(TableName::toString).toList(), slot, slot, Status.STARTING, null, Lsn.ZERO, 0, null,
                System.currentTimeMillis());
        try {
            sources.insert(source);
        } catch (RuntimeException e) {
            sourceDatabase.dropReplication(spec, slot, slot);
            throw e;
        }
        supervisor.start(source);
        return source;
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

    public Optional<Long> slotLagBytes(Source source) {
        ConnectionSpec spec = ConnectionSpec.parse(source.connectionUri());
        return checks.runIfFree(() -> sourceDatabase.slotLagBytes(spec, source.slotName()));
    }
}
