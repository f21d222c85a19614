package dev.streamhook.delivery;

import dev.streamhook.net.AddressGuard;
import dev.streamhook.store.DeliveryQueue.Attempt;
import dev.streamhook.store.DeliveryQueue.Due;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * POSTs one delivery with the documented headers and returns what happened. Never throws for a
 * network problem: that is an {@link Attempt} with an error. Thread-safe; shares one HTTP client.
 */
public final class WebhookSender implements Sender {

    static final String USER_AGENT = "StreamHook/1.0";
    private static final int RESPONSE_BODY_LIMIT = 2048;

    private final HttpClient client;
    private final Duration timeout;
    private final AddressGuard addressGuard;

    public WebhookSender(Duration timeout, AddressGuard addressGuard) {
        this.timeout = timeout;
        this.addressGuard = addressGuard;
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    @Override
    public Attempt send(Due d) {
        long started = System.currentTimeMillis();
        try {
            return post(d, started);
        } catch (IllegalArgumentException e) {
            // a URL or header the HTTP client refuses: a failed attempt, recorded, never a delivery stuck in flight
            return failure(started, "invalid request: " + e.getMessage());
        }
    }

    private Attempt post(Due d, long started) {
        URI uri = URI.create(d.url());
        Optional<String> refused = addressGuard.check(uri.getHost());
        if (refused.isPresent()) {
            return new Attempt(started, 0, null, "destination refused: " + refused.get(), null);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.ofByteArray(d.body()));
        for (Map.Entry<String, String> h : d.headers().entrySet()) {
            request.header(h.getKey(), h.getValue());
        }
        request.setHeader("Content-Type", "application/json");
        request.setHeader("User-Agent", USER_AGENT);
        request.setHeader("X-StreamHook-Event-ID", d.eventId());
        request.setHeader("X-StreamHook-Timestamp", Long.toString(started / 1000));
        if (d.secret() != null) {
            request.setHeader("X-StreamHook-Signature", Signer.sign(d.secret(), d.body()));
        }
        CompletableFuture<HttpResponse<String>> exchange =
                client.sendAsync(request.build(), info -> new ResponseSnippet(RESPONSE_BODY_LIMIT));
        try {
            // one deadline for the whole exchange: an endpoint that sends headers and then stalls is cut off too
            HttpResponse<String> response = exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Attempt(started, System.currentTimeMillis() - started, response.statusCode(), null, response.body());
        } catch (TimeoutException e) {
            exchange.cancel(true);
            return incomplete(started);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpConnectTimeoutException) {
                return failure(started, "connect timed out after " + timeout.toMillis() + " ms");
            }
            if (cause instanceof HttpTimeoutException) {
                return incomplete(started);
            }
            return failure(started, "connection failed: " + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()));
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            return failure(started, "StreamHook stopped during the attempt");
        }
    }

    private Attempt incomplete(long started) {
        return failure(started, "no complete response within " + timeout.toMillis() + " ms");
    }

    private static Attempt failure(long started, String error) {
        return new Attempt(started, System.currentTimeMillis() - started, null, error, null);
    }
}
