package dev.streamhook.capture.pgoutput;

/**
 * One message of the {@code pgoutput} logical replication protocol, version 1, as decoded by
 * {@link PgOutputDecoder}. Relation and type OIDs are unsigned 32-bit numbers carried in an
 * {@code int}; use {@link Integer#toUnsignedLong(int)} before comparing or printing them.
 */
public sealed interface PgOutputMessage
        permits Begin, Commit, Origin, Relation, TypeInfo, Insert, Update, Delete, Truncate, LogicalMessage {
}
