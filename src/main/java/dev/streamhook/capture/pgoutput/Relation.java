package dev.streamhook.capture.pgoutput;

import java.util.List;

/**
 * The shape of a table, sent before its first change in a session and again after it changes.
 * {@code namespace} is empty for {@code pg_catalog}, as PostgreSQL sends it.
 * {@code replicaIdentity} is {@code relreplident}: 'd' default, 'n' nothing, 'f' full, 'i' index.
 */
public record Relation(int oid, String namespace, String name, char replicaIdentity, List<Column> columns)
        implements PgOutputMessage {

    public Relation {
        columns = List.copyOf(columns);
    }

    /** {@code typeModifier} is {@code atttypmod}, -1 when the type has none. */
    public record Column(boolean partOfKey, String name, int typeOid, int typeModifier) {
    }
}
