package dev.streamhook.capture.pgoutput;

import dev.streamhook.event.Lsn;

/** Names the replication origin a transaction came from; a transaction may carry several. */
public record Origin(Lsn commitLsn, String name) implements PgOutputMessage {
}
