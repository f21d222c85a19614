package dev.streamhook.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The command line of {@code bin/streamhook bench}; immutable once parsed. */
record BenchOptions(
        List<String> scenarios,
        long backlogEvents,
        long singleRowEvents,
        long bigBacklogEvents,
        int batchEvents,
        long retentionSeconds,
        List<Double> rates,
        double rateSeconds,
        double slowRate,
        long slowResponseMillis,
        double slowWaitSeconds,
        double warmupSeconds,
        double idleSeconds,
        double stallSeconds,
        String pgUrl,
        Path jar,
        Path out,
        Path work,
        boolean quick) {

    static final List<String> ALL = List.of("backlog", "backlog-warm", "backlog-batched", "backlog-single", "rate", "slow-destination", "big-backlog",
            "retention");
    static final List<String> DEFAULT = List.of("backlog", "backlog-single", "rate", "slow-destination");

    static final String HELP = """
            usage: bin/streamhook bench [options]

            Measures the whole pipeline (PostgreSQL -> StreamHook -> webhook receiver) with StreamHook as a
            separate process (target/streamhook.jar serve) driven through its REST API, beside baselines
            measured in the same run. Writes results.json, results.md and results.svg. See docs/performance.md.

              --scenarios a,b,..   which to run, in order (default: %s;
                                   all: %s)
                                     backlog           N rows in 1,000-row transactions written while StreamHook is stopped
                                     backlog-batched   the same to a destination that batches --batch-events per request
                                     backlog-warm      like backlog, but the rows are written while StreamHook is suspended
                                                       (SIGSTOP), warm from delivering as many first (off unless named)
                                     backlog-single    N single-row transactions written while StreamHook is stopped
                                     rate              open-loop inserts at each --rates, commit-to-receipt latency
                                     slow-destination  a healthy and a 10 s endpoint on one source, at --slow-rate
                                     big-backlog       like backlog with --big-events rows (off unless named)
                                     retention         1,000 rows/s for --retention-seconds, with STREAMHOOK_RETENTION=forever
                                                       and then a sixth of the run; the store's size (off unless named)
              --events N           rows of backlog, backlog-warm and backlog-batched (default 100000; --quick 2000)
              --single-events N    transactions of backlog-single (default 100000; --quick 1000)
              --big-events N       rows of big-backlog (default 1000000)
              --batch-events N     max_events of backlog-batched's destination (default 100, at most 500)
              --retention-seconds S how long each run of the retention scenario loads (default 120; --quick 12)
              --rates r1,r2        inserts per second of the rate scenario (default 200,2000)
              --rate-seconds S     how long each rate runs (default 30; --quick 5)
              --slow-rate R        inserts per second of slow-destination (default 200)
              --slow-response-ms M how long the slow endpoint takes to answer (default 10000)
              --slow-wait-seconds S how long slow-destination waits for the healthy endpoint's events after the
                                   inserts; the rest are reported as undelivered (default 120; --quick 20)
              --warmup-seconds S   inserts at the rate before measuring, not counted (default 5; --quick 1)
              --idle-seconds S     how long idle CPU is measured after a scenario (default 10; --quick 2)
              --stall-seconds S    give up waiting when no new event arrives for this long (default 120)
              --pg-url URL         use this PostgreSQL instead of an embedded one:
                                   postgres://user:password@host:5432/postgres (the role must be allowed to
                                   CREATE DATABASE and to replicate; wal_level must be logical)
              --jar PATH           the StreamHook jar (default target/streamhook.jar)
              --out DIR            where the report goes (default docs/bench)
              --work DIR           data dirs and logs of the StreamHook processes (default target/bench-work)
              --quick              small counts, for a smoke run of the harness (figures are not meaningful)
              --help               this text

            Every STREAMHOOK_* variable of the environment (e.g. STREAMHOOK_DATABASE_URL for a PostgreSQL
            store, STREAMHOOK_DELIVERY_CONCURRENCY, STREAMHOOK_JAVA_OPTS) is passed on to StreamHook.
            """.formatted(String.join(",", DEFAULT), String.join(",", ALL));

    static BenchOptions parse(String... args) {
        boolean quick = Arrays.asList(args).contains("--quick");
        List<String> scenarios = DEFAULT;
        long backlog = quick ? 2_000 : 100_000;
        long single = quick ? 1_000 : 100_000;
        long big = 1_000_000;
        int batch = 100;
        long retentionSeconds = quick ? 12 : 120;
        List<Double> rates = List.of(200.0, 2000.0);
        double rateSeconds = quick ? 5 : 30;
        double slowRate = 200;
        long slowMs = 10_000;
        double slowWait = quick ? 20 : 120;
        double warmup = quick ? 1 : 5;
        double idle = quick ? 2 : 10;
        double stall = 120;
        String pgUrl = null;
        Path jar = Path.of("target", "streamhook.jar");
        Path out = Path.of("docs", "bench");
        Path work = Path.of("target", "bench-work");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--quick")) {
                continue;
            }
            if (a.equals("--help") || a.equals("-h")) {
                throw new Help();
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value (see --help)");
            }
            String v = args[++i];
            switch (a) {
                case "--scenarios" -> {
                    scenarios = List.of(v.split(","));
                    for (String s : scenarios) {
                        if (!ALL.contains(s)) {
                            throw new IllegalArgumentException("unknown scenario '" + s + "'; known: " + String.join(", ", ALL));
                        }
                    }
                }
                case "--events" -> backlog = positive(a, v);
                case "--single-events" -> single = positive(a, v);
                case "--big-events" -> big = positive(a, v);
                case "--retention-seconds" -> retentionSeconds = positive(a, v);
                case "--batch-events" -> {
                    batch = (int) Math.min(positive(a, v), 501);
                    if (batch > 500) {
                        throw new IllegalArgumentException("--batch-events is at most 500, a destination's largest batch");
                    }
                }
                case "--rates" -> {
                    List<Double> r = new ArrayList<>();
                    for (String s : v.split(",")) {
                        r.add((double) positive(a, s));
                    }
                    rates = List.copyOf(r);
                }
                case "--rate-seconds" -> rateSeconds = positive(a, v);
                case "--slow-rate" -> slowRate = positive(a, v);
                case "--slow-response-ms" -> slowMs = positive(a, v);
                case "--slow-wait-seconds" -> slowWait = positive(a, v);
                case "--warmup-seconds" -> warmup = nonNegative(a, v);
                case "--idle-seconds" -> idle = nonNegative(a, v);
                case "--stall-seconds" -> stall = positive(a, v);
                case "--pg-url" -> pgUrl = v;
                case "--jar" -> jar = Path.of(v);
                case "--out" -> out = Path.of(v);
                case "--work" -> work = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + a + " (see --help)");
            }
        }
        return new BenchOptions(scenarios, backlog, single, big, batch, retentionSeconds, rates, rateSeconds, slowRate, slowMs, slowWait, warmup, idle, stall,
                pgUrl, jar, out, work, quick);
    }

    private static long positive(String option, String value) {
        long v = nonNegative(option, value);
        if (v == 0) {
            throw new IllegalArgumentException(option + " must be more than 0");
        }
        return v;
    }

    private static long nonNegative(String option, String value) {
        try {
            long v = Long.parseLong(value.replace("_", ""));
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a whole number of 0 or more, got '" + value + "'");
        }
    }

    /** Thrown for --help: the caller prints {@link #HELP}. */
    static final class Help extends RuntimeException {
        Help() {
            super(null, null, false, false);
        }
    }
}
