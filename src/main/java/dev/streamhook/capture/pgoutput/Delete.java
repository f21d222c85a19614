package dev.streamhook.capture.pgoutput;

/** A deleted row: its replica identity key ({@code oldIsKeyOnly}) or, with FULL, the whole row. */
public record Delete(int relationOid, TupleData oldTuple, boolean oldIsKeyOnly) implements PgOutputMessage {
}
