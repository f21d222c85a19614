package dev.streamhook.bench.jmh;

import dev.streamhook.delivery.Signer;
import dev.streamhook.event.WebhookPayload;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The signature header of one ~600-byte body. The baseline builds the same header string from a
 * Mac created and keyed once, so the difference is what creating and keying a Mac per call costs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SignerBenchmark {

    private byte[] body;
    private Mac mac;

    @Setup
    public void setUp() throws GeneralSecurityException {
        body = WebhookPayload.encode(Fixtures.updateEvent());
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Fixtures.SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    }

    @Benchmark
    public String sign() {
        return Signer.sign(Fixtures.SECRET, body);
    }

    @Benchmark
    public String baselinePreinitialisedMac() {
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }
}
