package dev.streamhook.delivery;

import dev.streamhook.store.Signing;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.net.AddressPolicy;
import dev.streamhook.net.AllowedNetworks;
import dev.streamhook.store.DeliveryQueue.Attempt;
import dev.streamhook.store.DeliveryQueue.Due;
import dev.streamhook.store.DeliveryQueue.ErrorKind;
import dev.streamhook.testing.WebhookReceiver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.util.SocketAddressResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sender against real HTTP servers on 127.0.0.1: what arrives, what is recorded, and where it connects. */
class WebhookSenderIT {

    private static final String SECRET = "whsec_sender_it_secret";
    private static final byte[] BODY = "{\"id\":\"evt_0123456789abcdef01234567\",\"note\":\"caf\u00e9 \u2713\"}".getBytes(StandardCharsets.UTF_8);

    /** Generous: the first exchange of a fresh JVM loads the client's classes on a busy machine. */
    private final WebhookSender sender = new WebhookSender(Duration.ofSeconds(5), new AddressPolicy(AllowedNetworks.privateNetworks()));

    @AfterEach
    void closeSender() {
        sender.close();
    }

    private static Due due(String url) {
        return new Due(1, "evt_0123456789abcdef01234567", BODY, 0, "dst_1", url, Signing.of(SECRET), Map.of("Authorization", "Bearer token-1"));
    }

    @Test
    void theDocumentedHeadersAndTheExactBodyBytesArrive() {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            long before = System.currentTimeMillis() / 1000;
            Attempt attempt = sender.send(due(receiver.url()));

            assertThat(attempt.error()).isNull();
            assertThat(attempt.statusCode()).isEqualTo(200);
            assertThat(attempt.responseBody()).isEqualTo("ok");
            WebhookReceiver.Request got = receiver.requests().getFirst();
            assertThat(got.body()).isEqualTo(BODY);
            assertThat(got.header("Content-Type")).isEqualTo("application/json");
            assertThat(got.header("User-Agent")).isEqualTo("StreamHook/1.0");
            assertThat(got.header("X-StreamHook-Event-ID")).isEqualTo("evt_0123456789abcdef01234567");
            assertThat(Long.parseLong(got.header("X-StreamHook-Timestamp"))).isBetween(before, System.currentTimeMillis() / 1000);
            assertThat(got.header("X-StreamHook-Signature")).isEqualTo(Signer.sign(SECRET, BODY));
            assertThat(got.header("Authorization")).isEqualTo("Bearer token-1");
            assertThat(got.headers().keySet()).containsExactlyInAnyOrder("authorization", "content-length", "content-type", "host",
                    "user-agent", "x-streamhook-event-id", "x-streamhook-signature", "x-streamhook-timestamp");
        }
    }

    @Test
    void aDestinationWithoutSecretGetsNoSignature() {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            Attempt attempt = sender.send(new Due(1, "evt_0123456789abcdef01234567", BODY, 0, "dst_1", receiver.url(), Signing.of(null), Map.of()));

            assertThat(attempt.statusCode()).isEqualTo(200);
            assertThat(receiver.requests().getFirst().header("X-StreamHook-Signature")).isNull();
        }
    }

    @Test
    void aSuccessAndAServerErrorAreReportedWithTheirStatus() {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            receiver.respondWith(201, 503);

            Attempt created = sender.send(due(receiver.url()));
            Attempt unavailable = sender.send(due(receiver.url()));

            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(created.succeeded()).isTrue();
            assertThat(unavailable.statusCode()).isEqualTo(503);
            assertThat(unavailable.succeeded()).isFalse();
            assertThat(unavailable.error()).isNull();
            assertThat(unavailable.responseBody()).isEqualTo("nope");
        }
    }

    @Test
    void aRedirectIsReportedNotFollowed() throws Exception {
        try (RawServer server = new RawServer((in, out) -> {
            readRequest(in);
            out.write("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/elsewhere\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return true;
        })) {
            Attempt attempt = sender.send(due(server.url()));

            assertThat(attempt.statusCode()).isEqualTo(302);
            assertThat(attempt.succeeded()).isFalse();
        }
    }

    @Test
    void anEndpointThatSendsHeadersAndThenStallsIsCutOffAtTheTimeout() throws Exception {
        try (RawServer server = new RawServer((in, out) -> {
            readRequest(in);
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\npartial".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(10_000);
            return false;
        })) {
            WebhookSender impatient = new WebhookSender(Duration.ofMillis(500), new AddressPolicy(AllowedNetworks.privateNetworks()));
            try (WebhookReceiver warmUp = new WebhookReceiver()) {
                impatient.send(due(warmUp.url())); // loads the client's classes, which can take 500 ms on a busy machine
                Attempt attempt = impatient.send(due(server.url()));

                assertThat(attempt.statusCode()).isNull();
                assertThat(attempt.error()).isEqualTo("no complete response within 500 ms");
                assertThat(attempt.durationMs()).isBetween(450L, 3_000L);
            } finally {
                impatient.close();
            }
        }
    }

    @Test
    void aClosedPortIsAConnectionFailure() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        Attempt attempt = sender.send(due("http://127.0.0.1:" + port + "/hook"));

        assertThat(attempt.statusCode()).isNull();
        assertThat(attempt.error()).startsWith("connection failed: ");
        assertThat(attempt.errorKind()).isEqualTo(ErrorKind.CONNECT);
    }

    @Test
    void aHostThatDoesNotResolveIsADnsError() {
        SocketAddressResolver dns = (host, port, context, promise) -> promise.failed(new java.net.UnknownHostException(host));
        WebhookSender lookingUp = new WebhookSender(Duration.ofSeconds(2), new AddressPolicy(AllowedNetworks.privateNetworks()), dns);
        try {
            Attempt attempt = lookingUp.send(due("http://nowhere.streamhook.invalid/hook"));

            assertThat(attempt.errorKind()).isEqualTo(ErrorKind.DNS);
            assertThat(attempt.error()).startsWith("destination refused: ").contains("nowhere.streamhook.invalid");
        } finally {
            lookingUp.close();
        }
    }

    @Test
    void httpsToAnEndpointThatDoesNotSpeakTlsIsATlsError() throws Exception {
        try (RawServer plain = new RawServer((in, out) -> {
            // read the ClientHello before answering in plain text, and keep the socket open until the client gives up:
            // closing with unread bytes would reset the connection, which the client may see before our answer
            in.read(new byte[512]);
            out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            while (in.read(new byte[512]) >= 0) {
                // drain until the client closes
            }
            return false;
        })) {
            Attempt attempt = sender.send(due("https://127.0.0.1:" + plain.socket.getLocalPort() + "/hook"));

            assertThat(attempt.statusCode()).isNull();
            assertThat(attempt.errorKind()).as(attempt.error()).isEqualTo(ErrorKind.TLS);
        }
    }

    @Test
    void aConnectionNotMadeByTheDestinationsConnectTimeoutIsATimeout() {
        SocketAddressResolver silent = (host, port, context, promise) -> { }; // never answers
        WebhookSender waiting = new WebhookSender(Duration.ofSeconds(5), new AddressPolicy(AllowedNetworks.privateNetworks()), silent);
        try {
            Due d = due("http://silent.streamhook.invalid/hook");
            Attempt attempt = waiting.send(new Due(d.deliveryId(), d.eventId(), d.body(), 0, d.destinationId(), d.url(), d.signing(), d.headers(),
                    2_000, 200));

            assertThat(attempt.errorKind()).isEqualTo(ErrorKind.TIMEOUT);
            assertThat(attempt.error()).contains("no connection within 200 ms");
            assertThat(attempt.durationMs()).isLessThan(1_500);
        } finally {
            waiting.close();
        }
    }

    @Test
    void a503CarriesTheRetryAfterItAsked() {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            receiver.respondWith(503, "Retry-After", "7");
            Attempt attempt = sender.send(due(receiver.url()));

            assertThat(attempt.statusCode()).isEqualTo(503);
            assertThat(attempt.errorKind()).isEqualTo(ErrorKind.STATUS);
            assertThat(attempt.retryAfter()).isEqualTo(Duration.ofSeconds(7));
            assertThat(sender.send(due(receiver.url())).errorKind()).as("a success has no error kind").isNull();
        }
    }

    @Test
    void ofAHugeResponseBodyOnlyTheFirst256BytesAreKeptAndTheRestIsNotReadButTheStatusStands() throws Exception {
        int size = 200 * 1024 * 1024;
        java.util.concurrent.atomic.AtomicBoolean cutOff = new java.util.concurrent.atomic.AtomicBoolean();
        try (RawServer server = new RawServer((in, out) -> {
            readRequest(in);
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + size + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = "x".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
            try {
                for (int sent = 0; sent < size; sent += chunk.length) {
                    out.write(chunk);
                }
                out.flush();
            } catch (IOException closed) {
                cutOff.set(true);
                return false;
            }
            return true;
        })) {
            WebhookSender patient = new WebhookSender(Duration.ofSeconds(20), new AddressPolicy(AllowedNetworks.privateNetworks()));
            try {
                Attempt attempt = patient.send(due(server.url()));

                assertThat(attempt.error()).isNull();
                assertThat(attempt.statusCode()).isEqualTo(200);
                assertThat(attempt.responseBody()).isEqualTo("x".repeat(256));
                // the client hung up after 64 KiB: the endpoint could not write its 200 MiB
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilTrue(cutOff);
            } finally {
                patient.close();
            }
        }
    }

    /** StreamHook must not be a way to read an internal service's pages, files or binaries through the attempt log. */
    @ParameterizedTest(name = "Content-Type: {0}")
    @ValueSource(strings = {"application/octet-stream", "image/png", "application/zip", "none"})
    void aResponseBodyThatIsNotTextIsNotKept(String contentType) throws Exception {
        String header = contentType.equals("none") ? "" : "Content-Type: " + contentType + "\r\n";
        try (RawServer server = new RawServer((in, out) -> {
            if (readRequest(in) == null) {
                return false;
            }
            out.write(("HTTP/1.1 200 OK\r\n" + header + "Content-Length: 11\r\n\r\nsecret-data").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return true;
        })) {
            Attempt attempt = sender.send(due(server.url()));

            assertThat(attempt.statusCode()).isEqualTo(200);
            assertThat(attempt.responseBody()).isNull();
        }
    }

    @ParameterizedTest(name = "Content-Type: {0}")
    @ValueSource(strings = {"text/plain", "text/html; charset=utf-8", "application/json", "application/problem+json"})
    void aTextResponseBodyIsKeptUpTo256Bytes(String contentType) throws Exception {
        String body = "y".repeat(1000);
        try (RawServer server = new RawServer((in, out) -> {
            if (readRequest(in) == null) {
                return false;
            }
            out.write(("HTTP/1.1 500 Internal Server Error\r\nContent-Type: " + contentType + "\r\nContent-Length: 1000\r\n\r\n" + body)
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return true;
        })) {
            Attempt attempt = sender.send(due(server.url()));

            assertThat(attempt.statusCode()).isEqualTo(500);
            assertThat(attempt.responseBody()).isEqualTo("y".repeat(256));
        }
    }

    @Test
    void sequentialDeliveriesToOneDestinationReuseItsConnection() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        try (RawServer server = new RawServer((in, out) -> {
            if (readRequest(in) == null) {
                return false;
            }
            requests.incrementAndGet();
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return true;
        })) {
            for (int i = 0; i < 100; i++) {
                Attempt attempt = sender.send(due(server.url()));
                assertThat(attempt.error()).as("attempt %d", i).isNull();
                assertThat(attempt.statusCode()).isEqualTo(200);
            }

            assertThat(requests.get()).isEqualTo(100);
            assertThat(server.accepted.get()).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void aHostThatResolvesToALoopbackAddressIsRefusedWhenPrivateNetworksAreNot() {
        WebhookSender hosted = new WebhookSender(Duration.ofSeconds(5), new AddressPolicy(AllowedNetworks.none()));
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String viaLocalhost = receiver.url().replace("127.0.0.1", "localhost");

            Attempt byName = hosted.send(due(viaLocalhost));
            Attempt byAddress = hosted.send(due(receiver.url()));

            assertThat(byName.statusCode()).isNull();
            assertThat(byName.error()).startsWith("destination refused: the host 'localhost' resolves to ")
                    .contains("STREAMHOOK_ALLOWED_NETWORKS");
            assertThat(byAddress.error()).startsWith("destination refused: the address 127.0.0.1 is a loopback address");
            assertThat(receiver.requests()).isEmpty();
        } finally {
            hosted.close();
        }
    }

    @Test
    void aCloudMetadataAddressIsRefusedBeforeAnyConnection() {
        Attempt attempt = sender.send(due("http://169.254.169.254/latest/meta-data/"));

        assertThat(attempt.statusCode()).isNull();
        assertThat(attempt.error()).startsWith("destination refused: ").contains("never allowed");
    }

    @Test
    void theConnectionGoesToTheAddressTheGuardCheckedWithoutASecondLookup() {
        // a name only this resolver knows: if the client looked it up again itself, the request could not arrive
        AtomicInteger lookups = new AtomicInteger();
        SocketAddressResolver dns = (host, port, context, promise) -> {
            lookups.incrementAndGet();
            promise.succeeded(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
        };
        WebhookSender pinned = new WebhookSender(Duration.ofSeconds(2), new AddressPolicy(AllowedNetworks.privateNetworks()), dns);
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String url = receiver.url().replace("127.0.0.1", "hooks.streamhook.invalid");

            Attempt attempt = pinned.send(due(url));

            assertThat(attempt.error()).isNull();
            assertThat(attempt.statusCode()).isEqualTo(200);
            assertThat(receiver.requests().getFirst().header("Host")).startsWith("hooks.streamhook.invalid:");
            assertThat(lookups.get()).isEqualTo(1);
        } finally {
            pinned.close();
        }
    }

    @Test
    void aHostWithOneRefusedAddressAmongAllowedOnesIsRefused() throws Exception {
        InetAddress metadata = InetAddress.getByName("169.254.169.254"); // a literal: no lookup
        SocketAddressResolver dns = (host, port, context, promise) -> promise.succeeded(List.of(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                new InetSocketAddress(metadata, port)));
        WebhookSender mixed = new WebhookSender(Duration.ofSeconds(2), new AddressPolicy(AllowedNetworks.privateNetworks()), dns);
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            Attempt attempt = mixed.send(due(receiver.url().replace("127.0.0.1", "mixed.streamhook.invalid")));

            assertThat(attempt.error()).isEqualTo("destination refused: the host 'mixed.streamhook.invalid' resolves to 169.254.169.254, "
                    + "a link-local or cloud metadata address (169.254.0.0/16), which is never allowed");
            assertThat(receiver.requests()).isEmpty();
        } finally {
            mixed.close();
        }
    }

    @Test
    void aHostThatDoesNotResolveIsRefused() {
        Attempt attempt = sender.send(due("http://no-such-host.invalid/hook"));

        assertThat(attempt.error()).isEqualTo("destination refused: the host 'no-such-host.invalid' does not resolve");
    }

    @Test
    void aHeaderValueWithALineBreakIsAnInvalidRequestNotAnInjectedHeader() {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            Due d = new Due(1, "evt_0123456789abcdef01234567", BODY, 0, "dst_1", receiver.url(), Signing.of(SECRET),
                    Map.of("X-Custom", "a\r\nX-Injected: 1"));

            Attempt attempt = sender.send(d);

            assertThat(attempt.error()).startsWith("invalid request: ");
            assertThat(receiver.requests()).isEmpty();
        }
    }

    @Test
    void aUrlThatIsNotHttpIsAnInvalidRequest() {
        assertThat(sender.send(due("ftp://127.0.0.1/hook")).error()).startsWith("invalid request: ");
        assertThat(sender.send(due("not a url")).error()).startsWith("invalid request: ");
    }

    /** Reads one HTTP/1.1 request with a Content-Length body; null when the client closed the connection. */
    private static byte[] readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        int length = 0;
        for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        return in.readNBytes(length);
    }

    /** What a raw server does with one request on a connection; false closes the connection. */
    private interface Exchange {
        boolean handle(InputStream in, OutputStream out) throws Exception;
    }

    /** A plain socket server on 127.0.0.1 that counts the connections it accepts. */
    private static final class RawServer implements AutoCloseable {
        final ServerSocket socket;
        final AtomicInteger accepted = new AtomicInteger();
        final List<Socket> open = new CopyOnWriteArrayList<>();

        RawServer(Exchange exchange) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        Socket s = socket.accept();
                        accepted.incrementAndGet();
                        open.add(s);
                        Thread.ofVirtual().start(() -> serve(s, exchange));
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
        }

        private void serve(Socket s, Exchange exchange) {
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                while (exchange.handle(in, out)) {
                    // next request on the same connection
                }
            } catch (Exception gone) {
                // the client closed the connection or the test is over
            }
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/hook";
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
