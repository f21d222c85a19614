package dev.streamhook.bench.jmh;

import dev.streamhook.event.EventId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The id of one event: SHA-256 of "source|lsn|position". The baseline digests the same bytes with
 * a MessageDigest obtained once, so the difference is getInstance, the string building and the hex.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EventIdBenchmark {

    private int position;
    private byte[] input;
    private MessageDigest sha;

    @Setup
    public void setUp() throws NoSuchAlgorithmException {
        input = (Fixtures.SOURCE_ID + "|" + Fixtures.COMMIT_LSN + "|" + 7).getBytes(StandardCharsets.UTF_8);
        sha = MessageDigest.getInstance("SHA-256");
    }

    @Benchmark
    public EventId of() {
        // a changing position, as in a transaction, so nothing can be folded into a constant
        return EventId.of(Fixtures.SOURCE_TAG, Fixtures.COMMIT_LSN, position++ & 0xFFFF);
    }

    @Benchmark
    public byte[] baselineSha256Reused() {
        return sha.digest(input);
    }
}
