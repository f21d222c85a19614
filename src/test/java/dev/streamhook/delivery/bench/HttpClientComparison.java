package dev.streamhook.delivery.bench;

import dev.streamhook.store.Signing;
import dev.streamhook.delivery.Signer;
import dev.streamhook.delivery.WebhookSender;
import dev.streamhook.net.AddressPolicy;
import dev.streamhook.net.AllowedNetworks;
import dev.streamhook.store.DeliveryQueue.Attempt;
import dev.streamhook.store.DeliveryQueue.Due;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.ConnectionStatistics;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Measures which HTTP client posts webhooks faster over loopback: the JDK's {@code HttpClient} or
 * Jetty's, each used the way {@code WebhookSender} uses a client (a virtual thread per request
 * waiting for the whole answer, HTTP/1.1 keep-alive, a fresh HMAC per body). A third contestant is
 * {@code WebhookSender} itself, to show what its address check and header handling cost.
 *
 * <p>One Jetty server on 127.0.0.1 answers {@code 200 ok} after reading each body. The order of
 * the clients alternates between rounds so that neither always runs on a warmer machine.
 *
 * <pre>
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *     dev.streamhook.delivery.bench.HttpClientComparison [requests=50000] [rounds=2] [inFlight=16]
 * </pre>
 */
public final class HttpClientComparison {

    private static final String SECRET = "whsec_comparison_secret";

    private interface Contestant extends AutoCloseable {
        String name();

        /** Posts one body and returns the status; called from many threads at once. */
        int post(String eventId, byte[] body) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int inFlight = args.length > 2 ? Integer.parseInt(args[2]) : 16;

        ConnectionStatistics connections = new ConnectionStatistics();
        Server server = receiver(connections);
        server.start();
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        URI uri = URI.create("http://127.0.0.1:" + port + "/webhooks/streamhook");
        System.out.printf("receiver on %s; %d requests per run, %d in flight, %d rounds, %d cores, Java %s%n",
                uri, requests, inFlight, rounds, Runtime.getRuntime().availableProcessors(), Runtime.version());

        List<Contestant> contestants = List.of(new Jdk(uri), new Jetty(uri), new Sender(uri));
        try {
            for (Contestant c : contestants) {
                run(c, Math.min(requests, 5_000), inFlight, connections, "warm-up");
            }
            for (int round = 1; round <= rounds; round++) {
                List<Contestant> order = new ArrayList<>(contestants);
                if (round % 2 == 0) {
                    java.util.Collections.reverse(order);
                }
                for (Contestant c : order) {
                    run(c, requests, inFlight, connections, "round " + round);
                }
            }
        } finally {
            for (Contestant c : contestants) {
                c.close();
            }
            server.stop();
        }
    }

    private static void run(Contestant c, int requests, int inFlight, ConnectionStatistics connections, String label) throws Exception {
        long connectionsBefore = connections.getConnectionsTotal();
        AtomicLong next = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        java.util.concurrent.atomic.AtomicReference<String> firstFailure = new java.util.concurrent.atomic.AtomicReference<>();
        long start = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < inFlight; i++) {
                workers.add(threads.submit(() -> {
                    for (long n = next.getAndIncrement(); n < requests; n = next.getAndIncrement()) {
                        String eventId = "evt_%024x".formatted(n);
                        try {
                            int status = c.post(eventId, body(eventId, n));
                            if (status != 200) {
                                failed.incrementAndGet();
                                firstFailure.compareAndSet(null, "status " + status);
                            }
                        } catch (Exception e) {
                            failed.incrementAndGet();
                            firstFailure.compareAndSet(null, e.toString());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%-8s %-22s %,9.0f requests/s  (%d in %.2f s, %d failed, %d connections opened)%n",
                label, c.name(), requests / seconds, requests, seconds, failed.get(), connections.getConnectionsTotal() - connectionsBefore);
        if (firstFailure.get() != null) {
            System.out.println("         first failure: " + firstFailure.get());
        }
    }

    /** A webhook body of about 600 bytes, unique per request like a real event. */
    static byte[] body(String eventId, long n) {
        String json = "{\"id\":\"" + eventId + "\",\"source_id\":\"src_0123456789abcdef01234567\",\"table\":\"public.orders\","
                + "\"operation\":\"UPDATE\",\"timestamp\":\"2026-11-27T13:52:36.123Z\",\"before\":{\"id\":" + n
                + ",\"customer_id\":4711,\"status\":\"pending\",\"total\":99.5,\"currency\":\"EUR\",\"note\":null},"
                + "\"after\":{\"id\":" + n + ",\"customer_id\":4711,\"status\":\"paid\",\"total\":99.5,\"currency\":\"EUR\","
                + "\"note\":\"paid by card ending 4242, receipt mailed to the billing address on file\"},"
                + "\"metadata\":{\"lsn\":\"0/16B3748\",\"transaction_id\":" + (n + 1000) + ",\"unchanged_columns\":[],"
                + "\"shipping\":\"Musterstrasse 12, 10115 Berlin, Germany\",\"tags\":[\"priority\",\"repeat-customer\"]}}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads every body and answers 200 without blocking a thread: the receiver must not be the bottleneck. */
    private static Server receiver(ConnectionStatistics connections) {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("receiver");
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.addBean(connections);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, org.eclipse.jetty.server.Response response, Callback callback) {
                Content.Source.consumeAll(request, Callback.from(
                        () -> {
                            response.setStatus(200);
                            Content.Sink.write(response, true, "ok", callback);
                        },
                        callback::failed));
                return true;
            }
        });
        return server;
    }

    /** The JDK client as WebhookSender used it: HTTP/1.1, no redirects, a 10 s deadline. */
    private static final class Jdk implements Contestant {
        private final URI uri;
        private final java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .followRedirects(java.net.http.HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10))
                .build();

        Jdk(URI uri) {
            this.uri = uri;
        }

        @Override
        public String name() {
            return "JDK HttpClient";
        }

        @Override
        public int post(String eventId, byte[] body) throws Exception {
            java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(uri)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
                    .setHeader("Content-Type", "application/json")
                    .setHeader("User-Agent", "StreamHook/1.0")
                    .setHeader("X-StreamHook-Event-ID", eventId)
                    .setHeader("X-StreamHook-Timestamp", Long.toString(System.currentTimeMillis() / 1000))
                    .setHeader("X-StreamHook-Signature", Signer.sign(SECRET, body))
                    .build();
            return client.sendAsync(request, java.net.http.HttpResponse.BodyHandlers.ofString())
                    .get(10, TimeUnit.SECONDS).statusCode();
        }

        @Override
        public void close() {
            client.close();
        }
    }

    /** Jetty's client with the same settings, its answer awaited on the calling virtual thread. */
    private static final class Jetty implements Contestant {
        private final URI uri;
        private final HttpClient client = new HttpClient();

        Jetty(URI uri) throws Exception {
            this.uri = uri;
            client.setFollowRedirects(false);
            client.setConnectTimeout(10_000);
            client.start();
        }

        @Override
        public String name() {
            return "Jetty HttpClient";
        }

        @Override
        public int post(String eventId, byte[] body) throws Exception {
            CompletableFuture<Integer> status = new CompletableFuture<>();
            client.newRequest(uri)
                    .method(HttpMethod.POST)
                    .timeout(10, TimeUnit.SECONDS)
                    .headers(h -> h.put("User-Agent", "StreamHook/1.0")
                            .put("X-StreamHook-Event-ID", eventId)
                            .put("X-StreamHook-Timestamp", Long.toString(System.currentTimeMillis() / 1000))
                            .put("X-StreamHook-Signature", Signer.sign(SECRET, body)))
                    .body(new BytesRequestContent("application/json", body))
                    .send(new Response.Listener() {
                        @Override
                        public void onComplete(org.eclipse.jetty.client.Result result) {
                            if (result.isFailed()) {
                                status.completeExceptionally(result.getFailure());
                            } else {
                                status.complete(result.getResponse().getStatus());
                            }
                        }
                    });
            return status.get();
        }

        @Override
        public void close() throws Exception {
            client.stop();
        }
    }

    /** The production sender (Jetty underneath, guarded resolution, 2 KiB snippet). */
    private static final class Sender implements Contestant {
        private final String url;
        private final WebhookSender sender = new WebhookSender(Duration.ofSeconds(10), new AddressPolicy(AllowedNetworks.privateNetworks()));

        Sender(URI uri) {
            this.url = uri.toString();
        }

        @Override
        public String name() {
            return "WebhookSender";
        }

        @Override
        public int post(String eventId, byte[] body) {
            Attempt a = sender.send(new Due(0, eventId, body, 0, "dst_bench", url, Signing.of(SECRET), Map.of()));
            if (a.statusCode() == null) {
                throw new IllegalStateException(a.error());
            }
            return a.statusCode();
        }

        @Override
        public void close() {
            sender.close();
        }
    }
}
