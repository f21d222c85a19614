package dev.streamhook.capture.pgoutput;

/**
 * Describes a data type that is not built in, sent before the first Relation that uses it.
 * {@code namespace} is empty for {@code pg_catalog}, as PostgreSQL sends it.
 */
public record TypeInfo(int oid, String namespace, String name) implements PgOutputMessage {
}
