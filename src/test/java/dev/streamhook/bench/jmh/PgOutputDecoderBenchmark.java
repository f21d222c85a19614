package dev.streamhook.bench.jmh;

import dev.streamhook.capture.pgoutput.PgOutputDecoder;
import dev.streamhook.capture.pgoutput.PgOutputMessage;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Decoding one pgoutput row change of the eight-column orders table. The baseline copies the
 * same bytes into a fresh array: the least any decoder that keeps the values must do.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PgOutputDecoderBenchmark {

    private ByteBuffer insert;
    private ByteBuffer update;

    @Setup
    public void setUp() {
        insert = ByteBuffer.wrap(Fixtures.insertBytes());
        update = ByteBuffer.wrap(Fixtures.updateBytes());
    }

    @Benchmark
    public PgOutputMessage decodeInsert() {
        return PgOutputDecoder.decode(insert);
    }

    @Benchmark
    public PgOutputMessage decodeUpdate() {
        return PgOutputDecoder.decode(update);
    }

    @Benchmark
    public byte[] baselineCopyInsert() {
        return copy(insert);
    }

    @Benchmark
    public byte[] baselineCopyUpdate() {
        return copy(update);
    }

    private static byte[] copy(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
