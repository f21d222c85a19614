package dev.streamhook.testing;

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
 * answers 200 at once. It keeps nothing itself (unlike {@link WebhookReceiver}, which keeps every
 * request), so what a test remembers per event is up to its listener.
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

    public CountingReceiver(Listener listener) {
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
                    response.setStatus(200);
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                    Content.Sink.write(response, true, "ok", callback);
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

    public String url() {
        return "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + "/webhooks";
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
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the receiver", e);
        }
    }
}
