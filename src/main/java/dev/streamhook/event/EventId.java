package dev.streamhook.event;

import java.util.HexFormat;

/**
 * The public id of one change event: {@code evt_} and 32 hex digits, the source's event tag (8),
 * the transaction's commit LSN (16) and the change's position in it (8). It is derived from these
 * and nothing else, so a transaction that PostgreSQL sends again after a crash yields the same ids
 * and is stored once; the tag, a number the store gives each source once and never to another,
 * keeps two sources (even of one database, which see the same LSNs) apart.
 *
 * <p>A source's ids grow in commit order, so the store's unique index of them is written at its
 * end. Ids used to be a hash (24 hex digits, which events stored before this scheme keep): every
 * new event then wrote a random page of that index, and appending a transaction cost twice as much
 * once the index outgrew the page cache.
 */
public record EventId(String value) {

    private static final String PREFIX = "evt_";
    private static final HexFormat HEX = HexFormat.of();

    public EventId {
        if (value == null || !value.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not an event id: " + value);
        }
    }

    /** {@code sourceTag}: the source's event tag ({@code Sources.Source#eventTag}). */
    public static EventId of(int sourceTag, Lsn commitLsn, int position) {
        return new EventId(PREFIX + HEX.toHexDigits(sourceTag) + HEX.toHexDigits(commitLsn.value()) + HEX.toHexDigits(position));
    }

    @Override
    public String toString() {
        return value;
    }
}
