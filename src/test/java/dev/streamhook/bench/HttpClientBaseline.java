package dev.streamhook.bench;

import dev.streamhook.delivery.Signer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Baseline (ii): a bare JDK HttpClient posting the same bodies to the same kind of receiver, 16 in
 * flight, each HMAC-signed with the headers StreamHook sends: what delivery alone costs on this
 * machine, without a store. Runs inside the bench process (beside the receiver), so it competes
 * for the same cores as StreamHook did. Not thread-safe; one run at a time.
 */
final class HttpClientBaseline {

    static final int IN_FLIGHT = 16;

    private HttpClientBaseline() {
    }

    static Figures.Baseline run(List<byte[]> bodies, String secret) throws Exception {
        if (bodies.isEmpty()) {
            return null;
        }
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        // a warm-up pass against a throwaway receiver, so the figure is not the JIT's
        try (Receiver warm = new Receiver(secret, 0, 0)) {
            post(client, bodies.subList(0, Math.min(bodies.size(), 2_000)), URI.create(warm.url()), secret, 0);
        }
        try (Receiver receiver = new Receiver(secret, 0, 0)) {
            long started = System.nanoTime();
            long failures = post(client, bodies, URI.create(receiver.url()), secret, 1);
            double seconds = (System.nanoTime() - started) / 1e9;
            return new Figures.Baseline("JDK HttpClient, " + IN_FLIGHT + " in flight, signed", receiver.distinct(), seconds,
                    receiver.distinct() / seconds, failures == 0 ? "" : failures + " requests failed");
        }
    }

    private static long post(HttpClient client, List<byte[]> bodies, URI url, String secret, int round) throws InterruptedException {
        Semaphore slots = new Semaphore(IN_FLIGHT);
        AtomicLong failures = new AtomicLong();
        for (int i = 0; i < bodies.size(); i++) {
            byte[] body = bodies.get(i);
            HttpRequest request = HttpRequest.newBuilder(url)
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "StreamHook/1.0")
                    .header("X-StreamHook-Event-ID", "evt_baseline_" + round + "_" + i)
                    .header("X-StreamHook-Timestamp", Long.toString(System.currentTimeMillis() / 1000))
                    .header("X-StreamHook-Signature", Signer.sign(secret, body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            slots.acquire();
            client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                if (e != null || r.statusCode() != 200) {
                    failures.incrementAndGet();
                }
                slots.release();
            });
        }
        slots.acquire(IN_FLIGHT);
        return failures.get();
    }
}
