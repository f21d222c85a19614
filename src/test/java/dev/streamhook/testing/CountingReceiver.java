package dev.streamhook.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A webhook endpoint for a million requests: a keep-alive HTTP/1.1 Jetty server on 127.0.0.1 that
 * hands each request's event id header, signature header and body to a {@link Listener} and
 * answers 200 at once (or after a set delay, without holding a thread, to play a slow endpoint).
 * It keeps nothing itself (unlike {@link WebhookReceiver}, which keeps every request), so what a
 * test remembers per event is up to its listener; {@link #indexAfter} reads a body without parsing it.
 *
 * <p>Thread-safety: the listener is called from several receiver threads at once. {@link #close()}
 * stops the server.
 */
public final class CountingReceiver implements AutoCloseable {

    /** What a test does with each request; called concurrently, must be quick. */
    @FunctionalInterface
    public interface Listener {
        void received(String eventIdHeader, String signatureHeader, byte[] body);
    }

    /** Larger bodies are refused (413 is not 2xx, so StreamHook retries and the test sees the event missing). */
    private static final int MAX_BODY = 1 << 20;

    private final Server server;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong listenerFailures = new AtomicLong();
    private final ScheduledExecutorService delayer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("receiver-delay").daemon().unstarted(r));

    public CountingReceiver(Listener listener) {
        this(listener, 0);
    }

    /** Answers each request {@code responseDelayMillis} after it was read (0: at once). */
    public CountingReceiver(Listener listener, long responseDelayMillis) {
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("counting-receiver");
        threads.setDaemon(true);
        server = new Server(threads);
        ServerConnector connector = new ServerConnector(server, 1, 2);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setIdleTimeout(120_000);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String eventId = request.getHeaders().get("X-StreamHook-Event-ID");
                String signature = request.getHeaders().get("X-StreamHook-Signature");
                Content.Source.asByteArrayAsync(request, MAX_BODY).whenComplete((body, failure) -> {
                    if (failure != null) {
                        Response.writeError(request, response, callback, 413);
                        return;
                    }
                    try {
                        listener.received(eventId, signature, body);
                    } catch (RuntimeException e) {
                        listenerFailures.incrementAndGet(); // a test's bug: answered 500, so the event is sent again
                        Response.writeError(request, response, callback, 500);
                        return;
                    }
                    requests.incrementAndGet();
                    if (responseDelayMillis > 0) {
                        delayer.schedule(() -> ok(response, callback), responseDelayMillis, TimeUnit.MILLISECONDS);
                    } else {
                        ok(response, callback);
                    }
                });
                return true;
            }
        });
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the receiver", e);
        }
    }

    private static void ok(Response response, Callback callback) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
        Content.Sink.write(response, true, "ok", callback);
    }

    /** The top-level elements of a JSON array of objects, by scanning bytes (strings and escapes skipped), not by parsing. */
    public static List<byte[]> elements(byte[] array) {
        List<byte[]> out = new ArrayList<>();
        int depth = 0;
        int start = -1;
        boolean inString = false;
        for (int i = 1; i < array.length; i++) {
            byte b = array[i];
            if (inString) {
                if (b == '\\') {
                    i++;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{') {
                if (depth++ == 0) {
                    start = i;
                }
            } else if (b == '}' && --depth == 0) {
                out.add(Arrays.copyOfRange(array, start, i + 1));
            }
        }
        return out;
    }

    /** The index just after the first {@code key} in {@code body} at or after {@code from}, or -1. */
    public static int indexAfter(byte[] body, byte[] key, int from) {
        outer:
        for (int i = Math.max(0, from); i <= body.length - key.length; i++) {
            for (int j = 0; j < key.length; j++) {
                if (body[i + j] != key[j]) {
                    continue outer;
                }
            }
            return i + key.length;
        }
        return -1;
    }

    public String url() {
        return "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + "/webhooks/streamhook";
    }

    /** Requests answered with 200 so far. */
    public long requests() {
        return requests.get();
    }

    /** Requests the listener threw on (answered 500). */
    public long listenerFailures() {
        return listenerFailures.get();
    }

    @Override
    public void close() {
        delayer.shutdownNow();
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the receiver", e);
        }
    }
}
