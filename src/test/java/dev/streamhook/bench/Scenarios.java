package dev.streamhook.bench;

import dev.streamhook.testing.ApiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The scenarios. Each gets a fresh database, a fresh StreamHook data dir and a fresh process, set
 * up through the REST API only, so the figures hold whatever the store and delivery engine inside
 * look like. Not thread-safe: scenarios run one after another.
 */
final class Scenarios {

    static final String SECRET = "whsec_bench_signing_secret";
    private static final int RATE_CONNECTIONS = 8;
    private static final int SINGLE_ROW_CONNECTIONS = 4;
    private static final long MEASURED_IDS = 1_000_000_000L; // rows of the measured phase; warm-up rows are below
    /** Suspended longer than this, a warm backlog nears the lanes' 30 s lease (a lane that lost it waits 10 s). */
    private static final double SUSPENDED_LEASE_RISK_SECONDS = 20;

    private final BenchOptions options;
    private final BenchPostgres pg;
    private int run;

    Scenarios(BenchOptions options, BenchPostgres pg) {
        this.options = options;
        this.pg = pg;
    }

    /** A StreamHook process with one source on a fresh database and a destination per receiver. */
    private final class Setup implements AutoCloseable {
        final BenchPostgres.Db db;
        final StreamHookProcess process;
        final String sourceId;
        ProcessSampler sampler;

        Setup(String name, Receiver... receivers) throws Exception {
            this(name, null, Map.of(), receivers);
        }

        /**
         * {@code batch}: the destinations' {@code batch} as JSON, or null for one event per request;
         * {@code settings}: STREAMHOOK_* variables of this scenario's process.
         */
        Setup(String name, String batch, Map<String, String> settings, Receiver... receivers) throws Exception {
            Path dir = options.work().toAbsolutePath().resolve(String.format("%02d-%s", ++run, name));
            deleteRecursively(dir);
            Files.createDirectories(dir);
            db = pg.createDatabase();
            process = new StreamHookProcess(options.jar().toAbsolutePath(), dir.resolve("data"), dir.resolve("streamhook.log"), settings);
            process.start();
            ApiClient api = new ApiClient(process.port()).signUp("bench@example.com");
            ApiClient.Response source = api.post("/v1/sources", """
                    {"name": "bench", "type": "postgresql", "connection_uri": "%s", "tables": ["orders"]}""".formatted(db.uri()));
            if (source.status() != 201) {
                throw new IllegalStateException("source refused: " + source);
            }
            sourceId = source.text("id");
            for (Receiver r : receivers) {
                ApiClient.Response d = api.post("/v1/sources/" + sourceId + "/destinations", """
                        {"url": "%s", "secret": "%s", "batch": %s}""".formatted(r.url(), SECRET, batch));
                if (d.status() != 201) {
                    throw new IllegalStateException("destination refused: " + d);
                }
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!"active".equals(api.get("/v1/sources/" + sourceId).text("status"))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("source did not become active within 60 s: " + api.get("/v1/sources/" + sourceId));
                }
                Thread.sleep(100);
            }
            sampler = new ProcessSampler(process.pid(), false);
        }

        /** (Re)starts the process and samples it from its first instruction; returns seconds to /healthz. */
        double restart() throws Exception {
            sampler.close();
            long started = System.nanoTime();
            process.launch();
            sampler = new ProcessSampler(process.pid(), true);
            return process.awaitHealthy(started);
        }

        /** Before idle CPU is measured; a --quick run's figures mean nothing, so it waits only a second. */
        private long idleSettleMillis() {
            return options.quick() ? 1_000 : 5_000;
        }

        /** Stops sampling and measures the server's CPU with nothing to do, and its store. */
        Figures.Server finish(Double startup, ProcessSampler.Usage busy) throws Exception {
            long store = storeBytes(process.dataDir());
            Double idle = null;
            if (options.idleSeconds() > 0) {
                // idle means nothing left to do: the JIT compiler finishes what the load made hot, the last
                // results are committed, before the window opens
                Thread.sleep(idleSettleMillis());
                sampler.startWindow();
                Thread.sleep((long) (options.idleSeconds() * 1000));
                idle = sampler.finishWindow().cpuPercent();
            }
            String storeHow = System.getenv("STREAMHOOK_DATABASE_URL") != null ? "pg_database_size of STREAMHOOK_DATABASE_URL"
                    : "bytes in STREAMHOOK_DATA_DIR";
            return new Figures.Server(startup, busy.cpuPercent(), busy.rssPeakMb(), busy.rssAvgMb(), idle, store, storeHow,
                    busy.cpuPercentByThread());
        }

        @Override
        public void close() throws Exception {
            sampler.close();
            process.stop();
            db.close();
        }
    }

    Figures.Scenario backlog(String name, long n, boolean singleRow) throws Exception {
        return backlog(name, n, singleRow, 0);
    }

    /** {@link #backlog} of 1,000-row transactions to a destination that takes up to {@code perRequest} events per request. */
    Figures.Scenario batchedBacklog(String name, long n, int perRequest) throws Exception {
        return backlog(name, n, false, perRequest);
    }

    private Figures.Scenario backlog(String name, long n, boolean singleRow, int batch) throws Exception {
        progress(name, "%,d %s, written while StreamHook is stopped%s".formatted(n, singleRow ? "single-row transactions" : "rows in 1,000-row transactions",
                batch > 0 ? "; up to %d events per request".formatted(batch) : ""));
        String batchJson = batch > 0 ? "{\"max_events\": %d, \"max_wait_ms\": 50}".formatted(batch) : null;
        try (Receiver receiver = backlogReceiver(n); Setup s = new Setup(name, batchJson, Map.of(), receiver)) {
            s.process.stop();
            Written written = writeBacklog(name, s, 1, n, singleRow);
            progress(name, "starting StreamHook");
            long startedMicros = Receiver.nowMicros();
            double startup = s.restart();
            return delivered(name, s, receiver, written, 0, new Start("start", startedMicros, startup), batch,
                    (singleRow ? "%,d single-row transactions" : "%,d rows in 1,000-row transactions").formatted(n)
                            + " written while StreamHook was stopped; then StreamHook started and delivered them all");
        }
    }

    /**
     * {@link #backlog} with StreamHook warm. The JDK client baseline is measured after a warm-up pass
     * that is not counted, while a cold StreamHook spends much of a backlog compiling: this compares
     * like with like, and the cold backlog stays the measure of a restart after an outage. The
     * process delivers as many rows, inserted while it runs, is frozen while the measured rows are
     * written, and is timed from the moment it runs again.
     */
    Figures.Scenario warmBacklog(String name, long n) throws Exception {
        progress(name, "%,d rows in 1,000-row transactions, written while a warm StreamHook is suspended".formatted(n));
        try (Receiver receiver = backlogReceiver(n); Setup s = new Setup(name, receiver)) {
            LoadDriver.insertBatched(s.db, 1, n, 1000);
            if (!awaitDistinct(name + " warm-up", receiver, n)) {
                throw new IllegalStateException("the warm-up's rows did not all arrive; nothing to measure against");
            }
            int warmedUp = receiver.distinct();
            receiver.forgetBodies();
            long suspendedAt = System.nanoTime();
            s.process.suspend();
            Written written = writeBacklog(name, s, MEASURED_IDS, n, false);
            double suspendedSeconds = (System.nanoTime() - suspendedAt) / 1e9;
            if (suspendedSeconds > SUSPENDED_LEASE_RISK_SECONDS) {
                // past the lanes' 30 s lease a lane lost its lease while frozen and waits 10 s to take it again
                progress(name, "warning: suspended for %.0f s; the lanes' leases may have run out, which delays delivery"
                        .formatted(suspendedSeconds));
            }
            progress(name, "resuming StreamHook after %.1f s".formatted(suspendedSeconds));
            s.sampler.startWindow();
            long resumedMicros = Receiver.nowMicros();
            s.process.resume();
            return delivered(name, s, receiver, written, warmedUp, new Start("resume", resumedMicros, null), 0, ("%,d rows in 1,000-row"
                    + " transactions. StreamHook was warm: it had delivered as many uncounted rows, inserted while it ran, in the same"
                    + " process, as the JDK client gets an uncounted warm-up pass. Capture was paused while the rows were written (the"
                    + " process suspended with SIGSTOP, for %.1f s); then it was resumed and delivered them all, timed from the resume;"
                    + " duplicates and signatures count both backlogs").formatted(n, suspendedSeconds));
        }
    }

    /** Keeps bodies for the HTTP client baseline, up to 200,000 of them. */
    private static Receiver backlogReceiver(long n) {
        return new Receiver(SECRET, 0, (int) Math.min(n, 200_000));
    }

    /** The backlog's rows, {@code firstId..firstId+rows-1}, how long writing them took and how fast PostgreSQL reads them. */
    private record Written(long firstId, long rows, double insertSeconds, Figures.Baseline rawRead) {
        boolean holds(long rowId) {
            return rowId >= firstId && rowId - firstId < rows;
        }
    }

    /**
     * Inserts rows {@code firstId..firstId+n-1} while StreamHook captures nothing, and times the raw
     * replication read of them. Its slot is made right before the inserts, so it reads these rows
     * and no earlier ones.
     */
    private Written writeBacklog(String name, Setup s, long firstId, long n, boolean singleRow) throws Exception {
        RawReplicationBaseline raw = RawReplicationBaseline.prepare(s.db);
        double insertSeconds = singleRow
                ? LoadDriver.insertSingleRowTransactions(s.db, firstId, n, SINGLE_ROW_CONNECTIONS)
                : LoadDriver.insertBatched(s.db, firstId, n, 1000);
        progress(name, "inserted in %.1f s; raw replication read baseline ...".formatted(insertSeconds));
        Figures.Baseline rawRead = raw.read(n);
        raw.drop();
        progress(name, "raw read %,.0f events/s".formatted(rawRead.perSecond()));
        return new Written(firstId, n, insertSeconds, rawRead);
    }

    /** When StreamHook began on the backlog ({@code what}: "start" or "resume"); {@code startupSeconds} to /healthz, if it started. */
    private record Start(String what, long micros, Double startupSeconds) {
    }

    /**
     * Waits for the backlog's events (the receiver had {@code earlier} before them, not counted) and
     * puts its figures together from the backlog's rows only; StreamHook is stopped before the JDK
     * client baseline runs, so that the two do not share the cores.
     */
    private Figures.Scenario delivered(String name, Setup s, Receiver receiver, Written written, int earlier, Start start, int batch,
                                       String description) throws Exception {
        long n = written.rows();
        awaitDistinct(name, receiver, earlier + n);
        ProcessSampler.Usage busy = s.sampler.finishWindow();
        Receiver.Arrivals a = receiver.arrivals();
        int received = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (int i = 0; i < a.count(); i++) {
            if (written.holds(a.rowIds()[i])) {
                received++;
                first = Math.min(first, a.receivedMicros()[i]);
                last = Math.max(last, a.receivedMicros()[i]);
            }
        }
        Figures.Server server = s.finish(start.startupSeconds(), busy);
        s.process.stop();
        progress(name, "HTTP client baseline on %,d captured bodies ...".formatted(receiver.bodies().size()));
        Figures.Baseline http = HttpClientBaseline.run(receiver.bodies(), SECRET);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("average_body_bytes", receiver.bodies().stream().mapToInt(b -> b.length).average().orElse(0));
        extra.put("first_receipt_after_" + start.what() + "_s", received == 0 ? null : (first - start.micros()) / 1e6);
        if (batch > 0) {
            extra.put("batch_max_events", batch);
            extra.put("requests", receiver.requests());
            extra.put("events_per_request", receiver.requests() == 0 ? null : (double) received / receiver.requests());
        }
        boolean any = received > 0;
        return new Figures.Scenario(name,
                description + (batch > 0 ? " to a destination with batches of up to %d events (max_wait_ms 50); %,d requests"
                        .formatted(batch, receiver.requests()) : ""),
                n, received, receiver.duplicates(), receiver.signaturesChecked(), receiver.signaturesBad(), received == n,
                written.insertSeconds(), null, null, null,
                any ? (last - start.micros()) / 1e6 : null, any ? received / ((last - start.micros()) / 1e6) : null,
                received > 1 ? (received - 1) / ((last - first) / 1e6) : null,
                null, null, server, written.rawRead(), http, extra);
    }

    /**
     * A steady load with delivery keeping up: every second one transaction of {@code perSecond}
     * rows, for {@code seconds}, the store's size sampled every tenth of the run. {@code retention}
     * is the process's STREAMHOOK_RETENTION.
     */
    Figures.Scenario retention(String name, String retention, long seconds, int perSecond) throws Exception {
        progress(name, "%,d rows/s for %d s with STREAMHOOK_RETENTION=%s".formatted(perSecond, seconds, retention));
        try (Receiver receiver = new Receiver(SECRET, 0, 0);
             Setup s = new Setup(name, null, Map.of("STREAMHOOK_RETENTION", retention), receiver)) {
            s.sampler.startWindow();
            List<Double> samples = new ArrayList<>();
            long every = Math.max(1, seconds / 10);
            long started = System.nanoTime();
            long next = 1;
            for (long second = 1; second <= seconds; second++) {
                LoadDriver.insertBatched(s.db, next, perSecond, perSecond);
                next += perSecond;
                long sleep = started + second * 1_000_000_000L - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000);
                }
                if (second % every == 0) {
                    samples.add(storeBytes(s.process.dataDir()) / 1e6);
                    progress(name, "%d s: store %.1f MB, %,d delivered".formatted(second, samples.getLast(), receiver.distinct()));
                }
            }
            boolean complete = awaitDistinct(name, receiver, next - 1);
            ProcessSampler.Usage busy = s.sampler.finishWindow();
            Figures.Server server = s.finish(null, busy);
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("retention", retention);
            extra.put("store_mb_samples", samples);
            extra.put("sample_every_s", every);
            return new Figures.Scenario(name, ("steady load of %,d rows/s (one transaction a second) for %d s with STREAMHOOK_RETENTION=%s;"
                    + " store MB every %d s: %s").formatted(perSecond, seconds, retention, every,
                    samples.stream().map(v -> String.format(java.util.Locale.ROOT, "%.1f", v)).toList()),
                    next - 1, receiver.distinct(), receiver.duplicates(), receiver.signaturesChecked(), receiver.signaturesBad(), complete,
                    null, null, null, null, null, null, null, null, null, server, null, null, extra);
        }
    }

    Figures.Scenario rate(String name, double rate) throws Exception {
        progress(name, "%.0f inserts/s for %.0f s (open loop)".formatted(rate, options.rateSeconds()));
        try (Receiver receiver = new Receiver(SECRET, 0, 0); Setup s = new Setup(name, receiver)) {
            Measured m = measureAtRate(name, s, receiver, rate, true, Double.POSITIVE_INFINITY);
            Figures.Server server = s.finish(null, m.busy);
            return new Figures.Scenario(name, "open-loop single-row inserts at %.0f/s for %.0f s, StreamHook running"
                    .formatted(rate, options.rateSeconds()), m.expected, m.received, receiver.duplicates(),
                    receiver.signaturesChecked(), receiver.signaturesBad(), m.received == m.expected,
                    m.run.seconds(), rate, m.run.achievedRate(), m.run.maxStartLagMs(), m.deliverySeconds, m.received > 0 ? m.received / m.deliverySeconds : null, null,
                    m.commit, m.schedule, server, null, null, Map.of());
        }
    }

    Figures.Scenario slowDestination(String name, Figures.Latency alone) throws Exception {
        double rate = options.slowRate();
        progress(name, "%.0f inserts/s for %.0f s; one endpoint answers after %d ms".formatted(rate, options.rateSeconds(), options.slowResponseMillis()));
        try (Receiver healthy = new Receiver(SECRET, 0, 0); Receiver slow = new Receiver(SECRET, options.slowResponseMillis(), 0);
             Setup s = new Setup(name, healthy, slow)) {
            // warmed up as the alone run is (JIT, connections), with the slow endpoint already present: by the
            // measured window its lane is full, 16 requests hanging and the rest waiting, as a slow endpoint's is for hours
            Measured m = measureAtRate(name, s, healthy, rate, true, options.slowWaitSeconds());
            Figures.Server server = s.finish(null, m.busy);
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("slow_destination_requests", slow.requests());
            extra.put("slow_destination_distinct_events", slow.distinct());
            extra.put("healthy_undelivered_after_wait", m.expected - m.received);
            extra.put("wait_after_inserts_s", options.slowWaitSeconds());
            if (alone != null && m.commit != null && m.received == m.expected) {
                extra.put("healthy_p99_alone_ms", alone.p99());
                extra.put("healthy_p99_beside_slow_ms", m.commit.p99());
                extra.put("p99_ratio_beside_slow_vs_alone", m.commit.p99() / alone.p99());
            }
            return new Figures.Scenario(name, ("a healthy and a slow endpoint (%d ms) on one source, open-loop inserts at %.0f/s for %.0f s;"
                    + " figures are the healthy endpoint's").formatted(options.slowResponseMillis(), rate, options.rateSeconds()),
                    m.expected, m.received, healthy.duplicates(), healthy.signaturesChecked(), healthy.signaturesBad(),
                    m.received == m.expected, m.run.seconds(), rate, m.run.achievedRate(), m.run.maxStartLagMs(),
                    m.deliverySeconds, m.received > 0 ? m.received / m.deliverySeconds : null, null, m.commit, m.schedule, server, null, null, extra);
        }
    }

    private record Measured(LoadDriver.RateRun run, long expected, long received, double deliverySeconds,
                            Figures.Latency commit, Figures.Latency schedule, ProcessSampler.Usage busy) {
    }

    /** A warm-up at the rate (not counted), then the measured open-loop run; latencies of measured rows only. */
    private Measured measureAtRate(String name, Setup s, Receiver receiver, double rate, boolean warmUp, double maxWaitSeconds) throws Exception {
        long warm = 0;
        if (warmUp && options.warmupSeconds() > 0) {
            warm = LoadDriver.insertAtRate(s.db, 1, rate, options.warmupSeconds(), RATE_CONNECTIONS).intendedMicros().length;
            awaitDistinct(name + " warm-up", receiver, warm);
        }
        s.sampler.startWindow();
        long started = Receiver.nowMicros();
        LoadDriver.RateRun run = LoadDriver.insertAtRate(s.db, MEASURED_IDS, rate, options.rateSeconds(), RATE_CONNECTIONS);
        long expected = run.intendedMicros().length - run.failures();
        awaitDistinct(name, receiver, warm + expected, maxWaitSeconds);
        ProcessSampler.Usage busy = s.sampler.finishWindow();
        Receiver.Arrivals a = receiver.arrivals();
        long[] commit = new long[a.count()];
        long[] schedule = new long[a.count()];
        int n = 0;
        long last = started;
        for (int i = 0; i < a.count(); i++) {
            long row = a.rowIds()[i];
            if (row >= MEASURED_IDS && row - MEASURED_IDS < run.intendedMicros().length) {
                commit[n] = a.receivedMicros()[i] - a.commitMicros()[i];
                schedule[n] = a.receivedMicros()[i] - run.intendedMicros()[(int) (row - MEASURED_IDS)];
                last = Math.max(last, a.receivedMicros()[i]);
                n++;
            }
        }
        Figures.Latency c = Figures.Latency.ofMicros(commit, n);
        if (c != null) {
            progress(name, "commit-to-receipt p50 %.1f ms, p99 %.1f ms, max %.1f ms".formatted(c.p50(), c.p99(), c.max()));
        }
        return new Measured(run, expected, n, (last - started) / 1e6, c, Figures.Latency.ofMicros(schedule, n), busy);
    }

    /** Waits until {@code expected} distinct events arrived, or none arrived for --stall-seconds. */
    private boolean awaitDistinct(String name, Receiver receiver, long expected) throws InterruptedException {
        return awaitDistinct(name, receiver, expected, Double.POSITIVE_INFINITY);
    }

    /** As above, and gives up after {@code maxSeconds} in any case. */
    private boolean awaitDistinct(String name, Receiver receiver, long expected, double maxSeconds) throws InterruptedException {
        long giveUp = Double.isInfinite(maxSeconds) ? Long.MAX_VALUE : System.nanoTime() + (long) (maxSeconds * 1e9);
        long lastCount = -1;
        long lastProgress = System.nanoTime();
        long lastReport = System.nanoTime();
        while (true) {
            int now = receiver.distinct();
            if (now >= expected) {
                return true;
            }
            if (now != lastCount) {
                lastCount = now;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > (long) (options.stallSeconds() * 1e9)) {
                progress(name, "gave up: %,d of %,d events after %.0f s without progress".formatted(now, expected, options.stallSeconds()));
                return false;
            }
            if (System.nanoTime() > giveUp) {
                progress(name, "gave up: %,d of %,d events after waiting %.0f s".formatted(now, expected, maxSeconds));
                return false;
            }
            if (System.nanoTime() - lastReport > 10_000_000_000L) {
                lastReport = System.nanoTime();
                progress(name, "%,d of %,d events delivered".formatted(now, expected));
            }
            Thread.sleep(20);
        }
    }

    private static long storeBytes(Path dataDir) {
        String url = System.getenv("STREAMHOOK_DATABASE_URL");
        if (url != null && !url.isBlank()) {
            try {
                BenchPostgres store = BenchPostgres.external(url.replaceFirst("^jdbc:", ""));
                String db = java.net.URI.create(url.replaceFirst("^jdbc:", "").replaceFirst("^postgresql://", "postgres://")).getPath().substring(1);
                try (Connection c = store.connect(db, new Properties()); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT pg_database_size(current_database())")) {
                    rs.next();
                    return rs.getLong(1);
                }
            } catch (Exception e) {
                System.err.println("bench: cannot measure the PostgreSQL store's size: " + e.getMessage());
                return -1;
            }
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            return -1;
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static void progress(String scenario, String message) {
        System.out.printf("bench [%s] %s%n", scenario, message);
        System.out.flush();
    }
}
