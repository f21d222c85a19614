package dev.streamhook.delivery;

import dev.streamhook.net.AddressPolicy;
import dev.streamhook.store.DeliveryQueue.Attempt;
import dev.streamhook.store.DeliveryQueue.Due;
import dev.streamhook.store.DeliveryQueue.ErrorKind;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.SocketAddressResolver;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * POSTs one delivery with the documented headers and returns what happened. Never throws for a
 * network problem: that is an {@link Attempt} with an error.
 *
 * <p>Jetty's HTTP client underneath (measured faster than the JDK's over keep-alive HTTP/1.1, see
 * {@code HttpClientComparison}), for one more reason: its resolver hook lets the
 * {@link AddressPolicy} check the very addresses a connection is opened to ({@link GuardedResolver}).
 * Connections are pooled per destination (scheme, host and port) and kept alive.
 *
 * <p>Thread-safe: called from many threads at once; {@link #start} returns at once and its future
 * completes on the client's selector thread that read the answer (or on its timer's thread for a
 * deadline, or at once for a request that cannot be sent), so what is chained on it must not block:
 * one selector thread reads every destination's answers. {@link #send} waits for the answer. Main builds one and {@link #close() closes} it after the dispatcher
 * has stopped.
 */
public final class WebhookSender implements Sender, AutoCloseable {

    static final String USER_AGENT = "StreamHook/1.0";
    /**
     * What is kept of a response body for the user: a webhook receiver's answer ("ok", a short error),
     * not a page. Only this much, and only of a text-like content type, so a destination URL cannot
     * be used to read an internal HTTP service's pages or files through the attempt log.
     */
    static final int RESPONSE_BODY_LIMIT = 256;
    /**
     * Response body bytes read at most; past them the exchange ends there, its status stands and the
     * connection is closed. One selector thread reads every destination's answers, so an endpoint
     * that streams a huge answer must not keep it busy until the deadline.
     */
    static final int RESPONSE_READ_LIMIT = 64 * 1024;
    /** How long an unused pooled connection stays open (longer when the deadline is); endpoints often close theirs sooner. */
    private static final Duration POOLED_IDLE = Duration.ofSeconds(30);
    private static final Duration DESTINATION_IDLE = Duration.ofMinutes(5);
    /** Well over the 16 or so deliveries a destination has in flight, so none waits for a connection. */
    private static final int MAX_CONNECTIONS_PER_DESTINATION = 64;

    /** The longest total deadline a destination may set ({@code timeout_ms}); the pooled idle timeout stays above it. */
    public static final Duration MAX_DESTINATION_TIMEOUT = Duration.ofSeconds(30);

    /** Destination URLs whose parsed form is kept: far more than a node delivers to at once. */
    private static final int URIS_KEPT = 10_000;

    private final HttpClient client;
    private final Duration timeout;
    private final Map<String, URI> uris = new java.util.concurrent.ConcurrentHashMap<>();
    private final ScheduledExecutorScheduler scheduler;

    public WebhookSender(Duration timeout, AddressPolicy addressPolicy) {
        this(timeout, addressPolicy, null);
    }

    /** {@code dns} looks host names up (tests give their own); null: the system's, on the client's threads. */
    WebhookSender(Duration timeout, AddressPolicy addressPolicy, SocketAddressResolver dns) {
        this.timeout = timeout;
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("webhook-client");
        threads.setDaemon(true);
        scheduler = new ScheduledExecutorScheduler("webhook-client-scheduler", true);

        SslContextFactory.Client tls = new SslContextFactory.Client(false);
        tls.setEndpointIdentificationAlgorithm("HTTPS"); // verify the certificate names the host
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(tls);
        HttpClientTransportOverHTTP transport = new HttpClientTransportOverHTTP(connector);
        // what runs when a response arrives only completes a future and posts to a lane's inbox, and
        // never blocks: so the selector thread that read it runs it, instead of handing each response
        // to a pool thread (the hand-off was half of the client's threads' time). TLS handshakes and
        // decryption run there too; pooled keep-alive connections make handshakes rare, and a bigger
        // machine gets a selector thread per two cores (one by default)
        transport.setInvocationType(Invocable.InvocationType.NON_BLOCKING);
        connector.setSelectors(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        client = new HttpClient(transport);
        client.setName("webhook-client");
        client.setExecutor(threads);
        client.setScheduler(scheduler);
        client.setSocketAddressResolver(new GuardedResolver(
                dns != null ? dns : new SocketAddressResolver.Async(threads, scheduler, timeout.toMillis()), addressPolicy));
        // a backstop: each request's own connect deadline is enforced in post (ConnectDeadline)
        long longest = Math.max(timeout.toMillis(), MAX_DESTINATION_TIMEOUT.toMillis());
        client.setConnectTimeout(longest);
        // one idle timeout for pooled connections and running exchanges: it must not end an exchange
        // before the deadline does. (A per-request idle timeout looked like the finer tool, but a
        // pooled connection then kept the request's value and was closed early.)
        client.setIdleTimeout(Math.max(POOLED_IDLE.toMillis(), longest + 1_000));
        client.setFollowRedirects(false);
        client.setHttpCookieStore(new HttpCookieStore.Empty()); // an endpoint's cookies must not reach the next delivery
        client.setUserAgentField(null); // each request carries ours
        client.setMaxConnectionsPerDestination(MAX_CONNECTIONS_PER_DESTINATION);
        client.setDestinationIdleTimeout(DESTINATION_IDLE.toMillis()); // forget destinations no longer delivered to
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("the webhook HTTP client did not start", e);
        }
        // no Accept-Encoding, no decompression: the recorded snippet is the bytes the endpoint sent,
        // and a small compressed answer cannot make us inflate gigabytes (filled in by start, so cleared after)
        client.getContentDecoderFactories().clear();
    }

    @Override
    public Attempt send(Due d) {
        return start(d).join();
    }

    /**
     * Starts the attempt and returns at once; the future completes on the client's threads when the
     * exchange ends (never exceptionally), so a lane keeps its requests in flight without a thread
     * waiting for each.
     */
    @Override
    public CompletableFuture<Attempt> start(Due d) {
        long started = System.currentTimeMillis();
        try {
            return post(d, started);
        } catch (IllegalArgumentException e) {
            // a URL or header that cannot be sent: a failed attempt, recorded, never a delivery stuck in flight
            return CompletableFuture.completedFuture(failure(started, ErrorKind.OTHER, "invalid request: " + e.getMessage()));
        }
    }

    private CompletableFuture<Attempt> post(Due d, long started) {
        URI uri = uriOf(d.url());
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException("'" + d.url() + "' is not an absolute http:// or https:// URL with a host");
        }
        long total = d.timeoutMs() > 0 ? d.timeoutMs() : timeout.toMillis();
        long connect = Math.min(total, d.connectTimeoutMs() > 0 ? d.connectTimeoutMs() : timeout.toMillis());
        Request request = client.newRequest(uri)
                .method(HttpMethod.POST)
                // one deadline for the whole exchange, from queueing to the last body byte: an endpoint
                // that sends headers and then stalls is cut off too
                .timeout(total, TimeUnit.MILLISECONDS)
                .body(new BytesRequestContent("application/json", d.body()));
        request.headers(h -> {
            for (Map.Entry<String, String> e : d.headers().entrySet()) {
                HeaderRules.problem(e.getKey(), e.getValue()).ifPresent(why -> {
                    throw new IllegalArgumentException(why);
                });
                h.put(e.getKey(), e.getValue());
            }
            h.put("Content-Type", "application/json");
            h.put("User-Agent", USER_AGENT);
            if (d.batchSize() > 0) {
                h.put("X-StreamHook-Batch-ID", d.eventId()); // each event's id is in the body
                h.put("X-StreamHook-Batch-Size", Integer.toString(d.batchSize()));
            } else {
                h.put("X-StreamHook-Event-ID", d.eventId());
            }
            h.put("X-StreamHook-Timestamp", Long.toString(started / 1000));
            SignatureHeaders.of(d.signing(), d.eventId(), started, d.body()).forEach(h::put);
        });

        Exchange exchange = new Exchange();
        // the connect deadline covers the name lookup, TCP and TLS: it ends when the request's headers are written,
        // which over TLS happens only once the handshake is done (a request begins on a connection before that)
        java.util.concurrent.atomic.AtomicBoolean onConnection = new java.util.concurrent.atomic.AtomicBoolean();
        request.onRequestCommit(r -> onConnection.set(true));
        // one timer per request: at the connect deadline it aborts a request not yet on a connection; else it
        // waits on to the total deadline and a margin, a guard against a completion Jetty never reports
        // (Jetty itself enforces the total deadline)
        AtomicReference<org.eclipse.jetty.util.thread.Scheduler.Task> timer = new AtomicReference<>();
        timer.set(scheduler.schedule(() -> {
            if (!onConnection.get()) {
                request.abort(new ConnectDeadline(connect));
            } else if (!exchange.done.isDone()) {
                timer.set(scheduler.schedule(() -> {
                    if (!exchange.done.isDone()) {
                        request.abort(new TimeoutException("no completion reported"));
                    }
                }, total - connect + 5_000, TimeUnit.MILLISECONDS));
            }
        }, connect, TimeUnit.MILLISECONDS));
        request.send(exchange);
        return exchange.done.thenApply(result -> {
            timer.get().cancel();
            boolean inTlsHandshake = scheme.equals("https") && !onConnection.get();
            return outcome(result, exchange.snippet(), started, total, inTlsHandshake);
        });
    }

    /**
     * Parsing a URL cost a twentieth of a lane's time, and a destination sends thousands of requests
     * a second to the same one. The cache is cleared whole when it reaches {@link #URIS_KEPT}: what
     * a node delivers to again parses its URLs again.
     */
    private URI uriOf(String url) {
        URI uri = uris.get(url);
        if (uri == null) {
            uri = URI.create(url);
            if (uris.size() >= URIS_KEPT) {
                uris.clear();
            }
            uris.put(url, uri);
        }
        return uri;
    }

    private Attempt outcome(Result result, String snippet, long started, long total, boolean inTlsHandshake) {
        long duration = System.currentTimeMillis() - started;
        if (!result.isFailed() || result.getFailure() instanceof AnswerTooLong) {
            Response response = result.getResponse();
            int status = response.getStatus();
            if (status >= 200 && status < 300) {
                return new Attempt(started, duration, status, null, snippet, null, null);
            }
            Duration retryAfter = status == 429 || status == 503
                    ? RetryPolicy.parseRetryAfter(response.getHeaders().get(HttpHeader.RETRY_AFTER), java.time.Instant.now()).orElse(null)
                    : null;
            return new Attempt(started, duration, status, null, snippet, ErrorKind.STATUS, retryAfter);
        }
        Throwable cause = result.getFailure();
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof GuardedResolver.RefusedDestination) {
                ErrorKind kind = t instanceof GuardedResolver.UnresolvedDestination ? ErrorKind.DNS : ErrorKind.REFUSED;
                return failure(started, kind, "destination refused: " + t.getMessage());
            }
            if (t instanceof ConnectDeadline || t instanceof SocketTimeoutException) {
                return failure(started, ErrorKind.TIMEOUT, "connect timed out: " + message(t));
            }
            if (t instanceof TimeoutException) {
                return incomplete(started, total);
            }
            if (t instanceof java.net.UnknownHostException) {
                return failure(started, ErrorKind.DNS, "the host name could not be resolved: " + message(t));
            }
            if (t instanceof javax.net.ssl.SSLException) {
                return failure(started, ErrorKind.TLS, "TLS failed: " + message(t));
            }
            // a refused or unreachable port fails before this; a connection that ends while TLS is being set up
            // is an endpoint that does not speak TLS there (Jetty sometimes reports only that its channel was closed)
            if (inTlsHandshake && (t instanceof java.io.EOFException || t instanceof java.nio.channels.ClosedChannelException)) {
                return failure(started, ErrorKind.TLS, "TLS failed: the endpoint closed the connection during the TLS handshake");
            }
        }
        return failure(started, ErrorKind.CONNECT, "connection failed: " + message(cause));
    }

    /** The request was not on a connection by its connect deadline (name lookup, TCP and TLS included). */
    private static final class ConnectDeadline extends RuntimeException {
        ConnectDeadline(long millis) {
            super("no connection within " + millis + " ms", null, false, false);
        }
    }

    /** The response body passed {@link #RESPONSE_READ_LIMIT}: the rest is not read, the status stands. */
    private static final class AnswerTooLong extends RuntimeException {
        static final AnswerTooLong INSTANCE = new AnswerTooLong();

        private AnswerTooLong() {
            super("response body over " + RESPONSE_READ_LIMIT + " bytes, not read further", null, false, false);
        }
    }

    /** Stops the HTTP client and closes its pooled connections; sends after this fail. */
    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception e) {
            // stopping is best effort: its threads are daemons and its sockets die with the process
        }
    }


    private static String message(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static Attempt incomplete(long started, long total) {
        return failure(started, ErrorKind.TIMEOUT, "no complete response within " + total + " ms");
    }

    private static Attempt failure(long started, ErrorKind kind, String error) {
        return new Attempt(started, System.currentTimeMillis() - started, null, error, null, kind, null);
    }

    /**
     * Whether a response of this Content-Type is kept for the user: text ({@code text/*}), JSON,
     * XML and form data. A missing type or any other (images, archives, octet-stream...) is not.
     */
    static boolean keepsBodyOf(String contentType) {
        if (contentType == null) {
            return false;
        }
        String media = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return media.startsWith("text/") || media.equals("application/json") || media.endsWith("+json")
                || media.equals("application/xml") || media.endsWith("+xml") || media.equals("application/x-www-form-urlencoded")
                || media.equals("application/problem+json");
    }

    /**
     * Listens to one exchange: keeps the first {@link #RESPONSE_BODY_LIMIT} bytes of a text-like
     * response body and drops the rest as it arrives, up to {@link #RESPONSE_READ_LIMIT} (beyond, it
     * ends the exchange: an endpoint answering with a huge body can neither fill the heap nor hold
     * the selector thread), then completes with Jetty's result. Jetty calls it on one thread at a time.
     */
    private static final class Exchange implements Response.Listener {
        private final CompletableFuture<Result> done = new CompletableFuture<>();
        private final byte[] kept = new byte[RESPONSE_BODY_LIMIT];
        private int size;
        private long read;
        private Boolean keep;

        @Override
        public void onContent(Response response, ByteBuffer content) {
            read += content.remaining();
            if (read > RESPONSE_READ_LIMIT) {
                content.position(content.limit());
                response.abort(AnswerTooLong.INSTANCE);
                return;
            }
            if (keep == null) {
                keep = keepsBodyOf(response.getHeaders().get(HttpHeader.CONTENT_TYPE));
            }
            if (!keep) {
                content.position(content.limit());
                return;
            }
            int n = Math.min(content.remaining(), kept.length - size);
            content.get(kept, size, n);
            size += n;
            content.position(content.limit());
        }

        @Override
        public void onComplete(Result result) {
            done.complete(result);
        }

        /** Read after {@link #done} completed, which publishes what onContent wrote. */
        String snippet() {
            return size == 0 ? null : new String(kept, 0, size, StandardCharsets.UTF_8);
        }
    }
}
