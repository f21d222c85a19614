package dev.streamhook.store;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;

/**
 * The period events are counted in: a calendar month in UTC, from its first instant (inclusive)
 * to the next month's (exclusive). Stored as its {@link #key()}, e.g. {@code 2026-11}.
 */
public record UsagePeriod(YearMonth month) {

    public static UsagePeriod at(Instant instant) {
        return new UsagePeriod(YearMonth.from(instant.atZone(ZoneOffset.UTC)));
    }

    public String key() {
        return month.toString();
    }

    public Instant start() {
        return month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    public Instant end() {
        return month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
