package dev.streamhook.capture.pgoutput;

import java.util.List;

/** TRUNCATE of one or more tables in one statement; {@code options} is a bit set. */
public record Truncate(int options, List<Integer> relationOids) implements PgOutputMessage {

    private static final int CASCADE = 1;
    private static final int RESTART_IDENTITY = 2;

    public Truncate {
        relationOids = List.copyOf(relationOids);
    }

    public boolean cascade() {
        return (options & CASCADE) != 0;
    }

    public boolean restartIdentity() {
        return (options & RESTART_IDENTITY) != 0;
    }
}
