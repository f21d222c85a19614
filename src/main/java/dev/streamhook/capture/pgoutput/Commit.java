package dev.streamhook.capture.pgoutput;

import dev.streamhook.event.Lsn;
import java.time.Instant;

/** End of a transaction. {@code flags} is unused by PostgreSQL so far and kept as sent. */
public record Commit(int flags, Lsn commitLsn, Lsn endLsn, Instant commitTime) implements PgOutputMessage {
}
