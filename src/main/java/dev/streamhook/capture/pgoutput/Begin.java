package dev.streamhook.capture.pgoutput;

import dev.streamhook.event.Lsn;
import java.time.Instant;

/** Start of a transaction; {@code finalLsn} is the LSN of its commit record. */
public record Begin(Lsn finalLsn, Instant commitTime, long xid) implements PgOutputMessage {
}
