package dev.streamhook.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP server on 127.0.0.1 that records every webhook it receives. It answers 200, or the
 * statuses queued with {@link #respondWith(int...)} first, one per request (500 to every request
 * while {@link #failEverything} is on).
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One received request: headers (lower-case names) and the exact body bytes. */
    public record Request(Map<String, String> headers, byte[] body, long receivedAt) {
        public String header(String name) {
            return headers.get(name.toLowerCase());
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final HttpServer server;
    /** Scheme and host of {@link #url()}. */
    private final String origin;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    /** A queued answer: a status and the headers it comes with. */
    private record Reply(int status, Map<String, String> headers) {
    }

    private final ConcurrentLinkedQueue<Reply> statuses = new ConcurrentLinkedQueue<>();
    private volatile boolean failEverything;
    private final ConcurrentLinkedQueue<Long> delays = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> failOnce = new ConcurrentLinkedQueue<>();
    private volatile long everyResponseDelay;

    public WebhookReceiver() {
        this(plain(), "http://127.0.0.1");
    }

    /**
     * The same receiver over TLS with {@code tls}'s certificate, on 127.0.0.1; its {@link #url()}
     * names the host {@code localhost}, which the certificate must name for a sender that checks it.
     */
    public static WebhookReceiver overTls(javax.net.ssl.SSLContext tls) {
        try {
            com.sun.net.httpserver.HttpsServer server = com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
            return new WebhookReceiver(server, "https://localhost");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpServer plain() {
        try {
            return HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private WebhookReceiver(HttpServer server, String origin) {
        this.server = server;
        this.origin = origin;
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
            requests.add(new Request(headers, body, System.currentTimeMillis()));
            Long queuedDelay = delays.poll();
            long delay = everyResponseDelay + (queuedDelay == null ? 0 : queuedDelay);
            if (delay > 0) {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            String text = new String(body, StandardCharsets.UTF_8);
            boolean fail = failOnce.removeIf(text::contains);
            Reply queued = fail || failEverything ? null : statuses.poll();
            Map<String, String> extra = queued == null ? Map.of() : queued.headers();
            int status = fail || failEverything ? 500 : queued == null ? 200 : queued.status();
            byte[] reply = (status == 200 ? "ok" : "nope").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            extra.forEach(exchange.getResponseHeaders()::set);
            exchange.sendResponseHeaders(status, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    public void respondWith(int... statusCodes) {
        for (int s : statusCodes) {
            statuses.add(new Reply(s, Map.of()));
        }
    }

    /** The next queued answer is {@code status} with this one header (e.g. 429 with {@code Retry-After}). */
    public void respondWith(int status, String header, String value) {
        statuses.add(new Reply(status, Map.of(header, value)));
    }

    /** On: every request gets a 500 (queued statuses wait); off: back to normal. */
    public void failEverything(boolean on) {
        failEverything = on;
    }

    /** The first request whose body contains {@code bodyPart} gets a 500; the others are not affected. */
    public void failOnceWhenBodyContains(String bodyPart) {
        failOnce.add(bodyPart);
    }

    /** The next requests each wait this long before answering, one delay per request. */
    public void delayResponses(long... millis) {
        for (long m : millis) {
            delays.add(m);
        }
    }

    /**
     * Every request from now on waits this long before it is answered (after it is recorded), so a
     * backlog stays in flight for a while; 0 turns it off. Adds to {@link #delayResponses}.
     */
    public void delayEveryResponse(long millis) {
        everyResponseDelay = millis;
    }

    public String url() {
        return origin + ":" + server.getAddress().getPort() + "/webhooks/streamhook";
    }

    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
