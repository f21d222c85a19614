package dev.streamhook.capture.pgoutput;

import dev.streamhook.event.Lsn;
import java.util.Arrays;

/**
 * A message written with {@code pg_logical_emit_message}. The content array is not copied, to
 * keep decoding cheap; treat it as read-only. Equality compares the content bytes.
 */
public record LogicalMessage(boolean transactional, Lsn lsn, String prefix, byte[] content)
        implements PgOutputMessage {

    @Override
    public boolean equals(Object other) {
        return other instanceof LogicalMessage that
                && transactional == that.transactional
                && lsn.equals(that.lsn)
                && prefix.equals(that.prefix)
                && Arrays.equals(content, that.content);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * Boolean.hashCode(transactional) + lsn.hashCode()) + prefix.hashCode())
                + Arrays.hashCode(content);
    }

    @Override
    public String toString() {
        return "LogicalMessage[transactional=" + transactional + ", lsn=" + lsn + ", prefix=" + prefix
                + ", content=" + content.length + " bytes]";
    }
}
