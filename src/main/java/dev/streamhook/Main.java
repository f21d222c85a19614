package dev.streamhook;

import dev.streamhook.api.AccountRoutes;
import dev.streamhook.api.ApiServer;
import dev.streamhook.api.DestinationRoutes;
import dev.streamhook.api.DestinationSigning;
import dev.streamhook.api.EventRoutes;
import dev.streamhook.api.Idempotency;
import dev.streamhook.api.KeyRoutes;
import dev.streamhook.api.RedeliveryRoutes;
import dev.streamhook.api.RequestGate;
import dev.streamhook.api.SourceRoutes;
import dev.streamhook.api.StatsRoutes;
import dev.streamhook.api.TestEventRoutes;
import dev.streamhook.api.UsageRoutes;
import dev.streamhook.capture.CaptureSupervisor;
import dev.streamhook.capture.SourceCheckPool;
import dev.streamhook.capture.SourceDatabase;
import dev.streamhook.capture.SourceManager;
import dev.streamhook.config.Config;
import dev.streamhook.config.ConfigException;
import dev.streamhook.dashboard.Dashboard;
import dev.streamhook.dashboard.PasswordHasher;
import dev.streamhook.dashboard.SessionAuth;
import dev.streamhook.dashboard.Sessions;
import dev.streamhook.dashboard.SignInLimits;
import dev.streamhook.delivery.Dispatcher;
import dev.streamhook.delivery.RetryPolicy;
import dev.streamhook.delivery.WebhookSender;
import dev.streamhook.net.AddressPolicy;
import dev.streamhook.store.Accounts;
import dev.streamhook.store.Backfills;
import dev.streamhook.store.Database;
import dev.streamhook.store.DeliveryQueue;
import dev.streamhook.store.Destinations;
import dev.streamhook.store.EventLog;
import dev.streamhook.store.EventQueries;
import dev.streamhook.store.IdempotencyKeys;
import dev.streamhook.store.KeyUsage;
import dev.streamhook.store.NodeLock;
import dev.streamhook.store.Pruner;
import dev.streamhook.store.Redeliveries;
import dev.streamhook.store.SecretBox;
import dev.streamhook.store.StoreException;
import dev.streamhook.store.ReleaseTimer;
import dev.streamhook.store.Sources;
import dev.streamhook.store.Stats;
import dev.streamhook.store.Usage;
import dev.streamhook.observe.Health;
import dev.streamhook.observe.Metrics;
import dev.streamhook.observe.StoreSpace;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: configuration in, every object built here by constructor, then started
 * in the order data flows and stopped in reverse. No other class builds a collaborator.
 */
public final class Main {

    private static final Logger log = LoggerFactory.getLogger(Main.class);
    /** How long a node holds a delivery lane without renewing it: how soon another node may take over a dead one's. */
    private static final Duration LANE_LEASE = Duration.ofSeconds(30);
    /** Deliveries a lane holds in memory: enough to keep its in-flight limit busy, bounded so a backlog stays on disk. */
    private static final int LANE_WINDOW = 1_000;
    /** The same bound in body bytes, for large events: 4 MiB a destination. */
    private static final long LANE_WINDOW_BYTES = 4L << 20;
    /**
     * How often a node looks for held events that may go (the month turned, or another node raised a
     * limit): the most a month's first deliveries of an account with a backlog wait for.
     */
    private static final Duration RELEASE_CHECK = Duration.ofSeconds(10);
    /** Calls to users' databases the API makes at once, and how many more may wait: few, each at most the capped connect timeout. */
    private static final int SOURCE_CHECK_THREADS = 4;
    private static final int SOURCE_CHECK_QUEUE = 8;

    /**
     * A running node. {@link #close()} stops the API, capture and delivery, then closes the store.
     * {@code adminKey}: the key of the admin account this start created (closed sign-up, first
     * start), the only copy in clear; empty on every other start.
     */
    public record Node(int port, ApiServer api, CaptureSupervisor capture, Dispatcher dispatcher, ReleaseTimer releaseTimer,
                       Pruner pruner, WebhookSender sender,
                       KeyUsage keyUsage, Database db, NodeLock nodeLock, Optional<String> adminKey, Duration shutdownGrace)
            implements AutoCloseable {
        /**
         * A graceful stop (SIGTERM runs it through the shutdown hook), in the order that loses
         * nothing: the API first (no new work from outside), capture (no new events; the slot
         * keeps what was not stored), the timers, then delivery, whose lanes take nothing new and
         * wait up to {@code shutdownGrace} for their requests in flight and record what came back;
         * the sender and the store close last, after every result was committed. A request still
         * out when the grace ends is not recorded, so its delivery is due again after a restart.
         */
        @Override
        public void close() {
            try {
                stopAll();
            } finally {
                nodeLock.close(); // whatever failed, a new start on this directory must not be refused
            }
        }

        private void stopAll() {
            api.stop();
            capture.stopAll();
            releaseTimer.stop();
            pruner.stop();
            dispatcher.stop(shutdownGrace);
            sender.close();
            keyUsage.close();
            db.close();
        }
    }

    public static void main(String[] args) {
        String command = args.length == 0 ? "serve" : args[0];
        if (!command.equals("serve")) {
            System.err.println("usage: streamhook serve   (settings come from STREAMHOOK_* environment variables; see README.md)");
            System.exit(2);
        }
        try {
            Config config = Config.fromEnvironment();
            Node node = start(config);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                log.info("StreamHook stopping: no new work; requests in flight get up to {} ms", config.shutdownGrace().toMillis());
                node.close();
                log.info("StreamHook stopped");
            }, "shutdown"));
            // on stdout only, never through the logger: the one time this key exists in clear
            node.adminKey().ifPresent(key -> {
                System.out.println("streamhook: admin API key (shown once): " + key);
                System.out.flush();
            });
            log.info("StreamHook serving on http://{}:{} (sign-up {})", config.host(), node.port(),
                    config.signup().name().toLowerCase());
        } catch (ConfigException e) {
            System.err.println("streamhook: configuration error: " + e.getMessage());
            System.exit(2);
        } catch (RuntimeException e) {
            // all or nothing: whatever part failed (store, key file, port, capture, delivery), say which and exit
            log.debug("start failed", e);
            System.err.println("streamhook: cannot start: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Builds and starts a node, all or nothing: if any part fails to start, what already started is
     * stopped again and the failure is thrown, so no half-started node answers {@code /healthz}.
     */
    public static Node start(Config config) {
        Deque<Runnable> started = new ArrayDeque<>(); // what to undo, newest first
        try {
            return start(config, started);
        } catch (RuntimeException | Error e) {
            started.forEach(undo -> {
                try {
                    undo.run();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            });
            throw e;
        }
    }

    private static Node start(Config config, Deque<Runnable> started) {
        // before the store: a second node of this name must not touch it
        NodeLock nodeLock = NodeLock.acquire(config.dataDir(), config.nodeId(), config.databaseUrl().isEmpty() || config.masterKey().isEmpty(),
                config.databaseUrl());
        started.push(nodeLock::close);
        Database db = Database.open(config.databaseUrl(), config.dataDir());
        started.push(db::close);
        SecretBox secrets = SecretBox.load(config.masterKey(), config.dataDir());
        AddressPolicy addressPolicy = new AddressPolicy(config.allowedNetworks());

        Accounts accounts = new Accounts(db);
        KeyUsage keyUsage = new KeyUsage(accounts);
        Sources sources = new Sources(db, secrets);
        Destinations destinations = new Destinations(db, secrets);
        destinations.encryptClearHeaders(); // rows stored before headers were encrypted
        Usage usage = new Usage(db, Clock.systemUTC(), config.freeEventsPerMonth());
        EventLog eventLog = new EventLog(db, usage);
        EventQueries eventQueries = new EventQueries(db);
        DeliveryQueue deliveryQueue = new DeliveryQueue(db, config.destinationDisableAfter());

        SourceDatabase sourceDatabase = new SourceDatabase(addressPolicy, Duration.ofSeconds(30));
        Backfills backfills = new Backfills(db);
        CaptureSupervisor capture = new CaptureSupervisor(sources, eventLog, sourceDatabase, backfills,
                sourceId -> !destinations.listBySource(sourceId).isEmpty(), config.snapshotChunkRows());
        SourceManager sourceManager = new SourceManager(sources, sourceDatabase, capture, new SourceCheckPool(SOURCE_CHECK_THREADS, SOURCE_CHECK_QUEUE),
                backfills);

        RetryPolicy retryPolicy = new RetryPolicy(config.deliveryMaxAttempts(), config.retrySchedule());
        Duration shortestRetries = retryPolicy.span().multipliedBy(4).dividedBy(5); // the schedule's -20% jitter
        config.destinationDisableAfter().filter(after -> after.compareTo(shortestRetries) >= 0).ifPresent(after -> log.warn(
                "STREAMHOOK_DESTINATION_DISABLE_AFTER ({}) is not shorter than the delivery retries ({} at the least): the first events of an "
                        + "outage can fail for good before their destination is disabled", after, shortestRetries));
        WebhookSender sender = new WebhookSender(config.deliveryTimeout(), addressPolicy);
        started.push(sender::close);
        Metrics metrics = new Metrics(db, Clock.systemUTC());
        Dispatcher dispatcher = new Dispatcher(deliveryQueue, destinations, db.signals(), sender, retryPolicy, metrics, config.nodeId(),
                config.deliveryMaxInFlight(), LANE_LEASE.toMillis(), LANE_WINDOW, LANE_WINDOW_BYTES, Clock.systemUTC());

        StoreSpace storeSpace = new StoreSpace(db::sizeBytes, config.storeWarnBytes(),
                config.databaseUrl().isEmpty() ? Optional.of(config.dataDir()) : Optional.empty(), config.diskFreeWarnPercent());
        metrics.watch(storeSpace);
        Health health = new Health(List.of(
                new Health.Part("store", () -> db.problem().or(nodeLock::problem)),
                new Health.Part("capture", capture::problem),
                new Health.Part("delivery", dispatcher::problem)),
                storeSpace::warnings);
        Idempotency idempotency = new Idempotency(new IdempotencyKeys(db));
        Sessions sessions = new Sessions(db, config.sessionIdle(), Clock.systemUTC());
        SessionAuth sessionAuth = new SessionAuth(sessions, config.trustForwardedFor());
        RequestGate gate = new RequestGate(accounts, keyUsage, sessionAuth, config.signup(), config.rateLimits(), config.trustForwardedFor());
        ApiServer api = new ApiServer(health, metrics, gate, new AccountRoutes(accounts, config.signup()), new KeyRoutes(accounts, keyUsage),
                new SourceRoutes(sources, sourceManager, idempotency, config.captureAlerts(), backfills),
                new DestinationRoutes(sources, destinations, addressPolicy, config.allowHttpDestinations(), idempotency,
                        new DestinationSigning(config.secretRotationGrace())),
                new EventRoutes(eventQueries, secrets, config.retention()),
                new RedeliveryRoutes(sources, destinations, eventQueries, new Redeliveries(db), idempotency), new UsageRoutes(usage),
                new StatsRoutes(sources, destinations, new Stats(db)), new TestEventRoutes(sources, destinations, sender),
                new Dashboard(accounts, sessions, sessionAuth, new PasswordHasher(),
                        new SignInLimits(config.signInPerMinute()), gate, config.signup(), eventQueries, db.signals()));
        ReleaseTimer releaseTimer = new ReleaseTimer(usage, RELEASE_CHECK);
        Pruner pruner = new Pruner(db, config.retention(), Clock.systemUTC());

        // the port first: a taken port stops the start before capture runs; /healthz says 503 until the rest runs
        int port = api.start(config.host(), config.port());
        started.push(api::stop);
        started.push(keyUsage::close);
        keyUsage.start();
        started.push(capture::stopAll);
        capture.startAll(sourceManager::cleanUpUnfinished);
        started.push(dispatcher::stop);
        dispatcher.start();
        started.push(releaseTimer::stop);
        releaseTimer.start();
        started.push(pruner::stop);
        pruner.start();
        // last, once nothing else can fail: a key printed by a start that then failed would be lost
        Optional<String> adminKey = config.signup() == Config.SignupMode.CLOSED
                ? accounts.createAdminIfNone().map(Accounts.Created::apiKey) : Optional.empty();
        return new Node(port, api, capture, dispatcher, releaseTimer, pruner, sender, keyUsage, db, nodeLock, adminKey, config.shutdownGrace());
    }
}
