package dev.streamhook.config;

import dev.streamhook.net.AllowedNetworks;
import dev.streamhook.store.RetentionPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every setting of a StreamHook node, read once at startup from the environment and validated
 * there, so a bad value stops the start with a message naming the variable. The README lists each
 * one with its default; keep the two in step.
 */
public record Config(
        int port,
        Path dataDir,
        Optional<StoreUrl> databaseUrl,
        String nodeId,
        AllowedNetworks allowedNetworks,
        boolean allowHttpDestinations,
        Optional<String> masterKey,
        Duration deliveryTimeout,
        int deliveryMaxAttempts,
        List<Duration> retrySchedule,
        Optional<Duration> destinationDisableAfter,
        int deliveryMaxInFlight,
        long freeEventsPerMonth,
        String host,
        SignupMode signup,
        RateLimits rateLimits,
        boolean trustForwardedFor,
        CaptureAlerts captureAlerts,
        RetentionPolicy retention,
        int snapshotChunkRows,
        Optional<Long> storeWarnBytes,
        int diskFreeWarnPercent,
        Duration secretRotationGrace,
        Duration shutdownGrace,
        Duration sessionIdle,
        int signInPerMinute) {

    /**
     * When a source's view warns that WAL may be piling up on its database: capture has not been
     * streaming for {@code stallAfter}, or the slot's lag passed {@code slotLagWarnBytes}.
     */
    public record CaptureAlerts(Duration stallAfter, long slotLagWarnBytes) {
    }

    /**
     * Who may create accounts. {@code CLOSED} (the default, a private installation): only an admin
     * key; the first start creates the admin account and prints its key once. {@code OPEN} (a hosted
     * service): anyone who reaches the port may sign up, so the address policy defaults to no private
     * networks.
     */
    public enum SignupMode { CLOSED, OPEN }

    /**
     * Request budgets: {@code perKeyPerSecond} requests a second per API key (bursts up to five
     * seconds' worth), {@code anonymousPerMinute} unauthenticated calls (sign-up, a missing or wrong
     * key) a minute per client address.
     */
    public record RateLimits(int perKeyPerSecond, int anonymousPerMinute) {
        public int perKeyBurst() {
            return perKeyPerSecond * 5;
        }
    }

    /** {@link #freeEventsPerMonth} when {@code STREAMHOOK_FREE_EVENTS_PER_MONTH=unlimited}. */
    public static final long UNLIMITED = Long.MAX_VALUE;

    public static Config fromEnvironment() {
        return from(System.getenv());
    }

    public static Config from(Map<String, String> env) {
        Reader r = new Reader(env);
        Path dataDir = Path.of(r.string("STREAMHOOK_DATA_DIR", "./data")).toAbsolutePath().normalize();
        SignupMode signup = r.signup("STREAMHOOK_SIGNUP");
        return new Config(
                r.integer("STREAMHOOK_PORT", 8080, 0, 65535),
                dataDir,
                Optional.ofNullable(r.raw("STREAMHOOK_DATABASE_URL")).map(v -> StoreUrl.parse("STREAMHOOK_DATABASE_URL", v)),
                r.string("STREAMHOOK_NODE_ID", defaultNodeId(dataDir)),
                // an open sign-up lets strangers make requests from this host: no private networks unless named
                allowedNetworks(r, signup == SignupMode.CLOSED ? AllowedNetworks.privateNetworks() : AllowedNetworks.none()),
                r.bool("STREAMHOOK_ALLOW_HTTP_DESTINATIONS", signup == SignupMode.CLOSED),
                Optional.ofNullable(r.raw("STREAMHOOK_MASTER_KEY")),
                Duration.ofMillis(r.integer("STREAMHOOK_DELIVERY_TIMEOUT_MS", 10_000, 100, 300_000)),
                r.integer("STREAMHOOK_DELIVERY_MAX_ATTEMPTS", 12, 1, 100),
                retrySchedule(r),
                r.period("STREAMHOOK_DESTINATION_DISABLE_AFTER", Duration.ofDays(2)),
                r.integer("STREAMHOOK_DELIVERY_MAX_IN_FLIGHT", 16, 1, 1024),
                r.limit("STREAMHOOK_FREE_EVENTS_PER_MONTH", 50_000),
                r.string("STREAMHOOK_HOST", "127.0.0.1"),
                signup,
                new RateLimits(r.integer("STREAMHOOK_RATE_LIMIT_PER_KEY", 20, 1, 1_000_000),
                        r.integer("STREAMHOOK_RATE_LIMIT_SIGNUP_PER_MINUTE", 10, 1, 1_000_000)),
                r.bool("STREAMHOOK_TRUST_X_FORWARDED_FOR", false),
                new CaptureAlerts(Duration.ofSeconds(r.integer("STREAMHOOK_SOURCE_STALL_SECONDS", 300, 1, 31 * 86_400)),
                        r.whole("STREAMHOOK_SLOT_LAG_WARN_BYTES", 1L << 30, 1, Long.MAX_VALUE)),
                new RetentionPolicy(r.period("STREAMHOOK_RETENTION", Duration.ofDays(7)),
                        r.period("STREAMHOOK_FAILED_RETENTION", Duration.ofDays(30))),
                r.integer("STREAMHOOK_SNAPSHOT_CHUNK_ROWS", 5_000, 1, 100_000),
                r.raw("STREAMHOOK_STORE_WARN_BYTES") == null ? Optional.empty()
                        : Optional.of(r.whole("STREAMHOOK_STORE_WARN_BYTES", 0, 1, Long.MAX_VALUE)),
                r.integer("STREAMHOOK_DISK_FREE_WARN_PERCENT", 10, 0, 100),
                r.period("STREAMHOOK_SECRET_ROTATION_GRACE", Duration.ofHours(24)).orElseThrow(() -> new ConfigException(
                        "STREAMHOOK_SECRET_ROTATION_GRACE must be a period such as 24h or 7d, not forever: a replaced secret must stop signing")),
                // how long a stop (SIGTERM) waits for webhook requests in flight before it leaves them pending
                Duration.ofMillis(r.integer("STREAMHOOK_SHUTDOWN_GRACE_MS", 10_000, 0, 600_000)),
                // a dashboard session ends after this long without a request (and after 7 days in any case)
                r.period("STREAMHOOK_SESSION_IDLE", Duration.ofHours(12)).filter(d -> d.compareTo(Duration.ofDays(7)) <= 0)
                        .orElseThrow(() -> new ConfigException("STREAMHOOK_SESSION_IDLE must be a period from 1s to 7d such as 12h, "
                                + "not forever: a session left open must end")),
                // dashboard sign-up, sign-in and password attempts a minute, per client address and per e-mail address
                r.integer("STREAMHOOK_SIGNIN_PER_MINUTE", 10, 1, 1_000_000));
    }

    /** The default retry schedule, as {@code STREAMHOOK_DELIVERY_RETRY_SCHEDULE} writes it. */
    public static final String DEFAULT_RETRY_SCHEDULE = "5s,5m,30m,2h,5h,10h";

    /**
     * {@code STREAMHOOK_DELIVERY_RETRY_SCHEDULE}: the delays between attempts, periods separated by
     * commas ({@code 5s,5m,30m,2h,5h,10h}, {@code 50ms} too), the last repeating. The exponential
     * settings it replaced are refused rather than ignored, so a node does not quietly change pace.
     */
    private static List<Duration> retrySchedule(Reader r) {
        for (String gone : List.of("STREAMHOOK_DELIVERY_RETRY_BASE_MS", "STREAMHOOK_DELIVERY_RETRY_MAX_MS")) {
            if (r.raw(gone) != null) {
                throw new ConfigException(gone + " is gone: set STREAMHOOK_DELIVERY_RETRY_SCHEDULE to the delays between attempts, "
                        + "such as " + DEFAULT_RETRY_SCHEDULE + " (the default)");
            }
        }
        String v = r.raw("STREAMHOOK_DELIVERY_RETRY_SCHEDULE");
        String rule = "STREAMHOOK_DELIVERY_RETRY_SCHEDULE must be 1 to 50 periods separated by commas, each 1ms to 7d, "
                + "such as " + DEFAULT_RETRY_SCHEDULE + ", got '" + v + "'";
        String[] parts = (v == null ? DEFAULT_RETRY_SCHEDULE : v).split(",");
        if (parts.length > 50) {
            throw new ConfigException(rule);
        }
        List<Duration> out = new ArrayList<>();
        java.util.regex.Pattern period = java.util.regex.Pattern.compile("(\\d{1,9})(ms|[dhms])");
        for (String part : parts) {
            java.util.regex.Matcher m = period.matcher(part.trim().toLowerCase());
            if (!m.matches()) {
                throw new ConfigException(rule);
            }
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "d" -> Duration.ofDays(n);
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMillis(n);
            };
            if (d.isZero() || d.compareTo(Duration.ofDays(7)) > 0) {
                throw new ConfigException(rule);
            }
            out.add(d);
        }
        return out;
    }

    /**
     * {@code STREAMHOOK_ALLOWED_NETWORKS}, or {@code fallback} when unset. The setting it replaced is
     * refused rather than ignored: ignoring {@code STREAMHOOK_ALLOW_PRIVATE_NETWORKS=false} would
     * quietly open the private networks of a node that had closed them.
     */
    private static AllowedNetworks allowedNetworks(Reader r, AllowedNetworks fallback) {
        if (r.raw("STREAMHOOK_ALLOW_PRIVATE_NETWORKS") != null) {
            throw new ConfigException("STREAMHOOK_ALLOW_PRIVATE_NETWORKS is gone: set STREAMHOOK_ALLOWED_NETWORKS=private "
                    + "(for true) or STREAMHOOK_ALLOWED_NETWORKS=none (for false) instead");
        }
        String v = r.raw("STREAMHOOK_ALLOWED_NETWORKS");
        if (v == null) {
            return fallback;
        }
        try {
            return AllowedNetworks.parse(v);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("STREAMHOOK_ALLOWED_NETWORKS " + e.getMessage() + " (got '" + v + "'); write private, none, "
                    + "or CIDRs separated by commas such as private,198.18.0.0/15");
        }
    }

    /**
     * A node's name in leases: stable across restarts of the same installation (so a restarted node
     * takes its lanes back at once instead of waiting for its old leases to lapse) and distinct
     * between hosts.
     */
    private static String defaultNodeId(Path dataDir) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        return host + ":" + dataDir;
    }

    private record Reader(Map<String, String> env) {
        String raw(String name) {
            String v = env.get(name);
            return v == null || v.isBlank() ? null : v.trim();
        }

        String string(String name, String fallback) {
            String v = raw(name);
            return v == null ? fallback : v;
        }

        int integer(String name, int fallback, int min, int max) {
            return (int) whole(name, fallback, min, max);
        }

        long whole(String name, long fallback, long min, long max) {
            String v = raw(name);
            if (v == null) {
                return fallback;
            }
            try {
                long n = Long.parseLong(v);
                if (n < min || n > max) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new ConfigException(name + " must be a whole number from " + min + " to " + max + ", got '" + v + "'");
            }
        }

        /** A whole number of events from 0, or {@code unlimited}. */
        long limit(String name, long fallback) {
            String v = raw(name);
            if (v == null) {
                return fallback;
            }
            if (v.equalsIgnoreCase("unlimited")) {
                return UNLIMITED;
            }
            try {
                long n = Long.parseLong(v);
                if (n < 0 || n >= UNLIMITED) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new ConfigException(name + " must be a whole number of events from 0, or unlimited, got '" + v + "'");
            }
        }

        SignupMode signup(String name) {
            String v = raw(name);
            if (v == null) {
                return SignupMode.CLOSED;
            }
            return switch (v.toLowerCase()) {
                case "closed" -> SignupMode.CLOSED;
                case "open" -> SignupMode.OPEN;
                default -> throw new ConfigException(name + " must be closed or open, got '" + v + "'");
            };
        }

        /** A period such as {@code 7d}, {@code 12h}, {@code 30m} or {@code 45s}; empty for {@code forever}. */
        Optional<Duration> period(String name, Duration fallback) {
            String v = raw(name);
            if (v == null) {
                return Optional.of(fallback);
            }
            if (v.equalsIgnoreCase("forever")) {
                return Optional.empty();
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,6})([dhms])").matcher(v.toLowerCase());
            if (m.matches() && Long.parseLong(m.group(1)) > 0) {
                long n = Long.parseLong(m.group(1));
                return Optional.of(switch (m.group(2)) {
                    case "d" -> Duration.ofDays(n);
                    case "h" -> Duration.ofHours(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofSeconds(n);
                });
            }
            throw new ConfigException(name + " must be a period such as 7d, 12h, 30m or 45s, or forever, got '" + v + "'");
        }

        boolean bool(String name, boolean fallback) {
            String v = raw(name);
            if (v == null) {
                return fallback;
            }
            return switch (v.toLowerCase()) {
                case "true", "1", "yes" -> true;
                case "false", "0", "no" -> false;
                default -> throw new ConfigException(name + " must be true or false, got '" + v + "'");
            };
        }
    }
}
