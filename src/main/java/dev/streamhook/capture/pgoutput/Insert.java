package dev.streamhook.capture.pgoutput;

public record Insert(int relationOid, TupleData newTuple) implements PgOutputMessage {
}
