package dev.streamhook.capture;

import dev.streamhook.bench.jmh.Fixtures;
import dev.streamhook.capture.pgoutput.Begin;
import dev.streamhook.capture.pgoutput.Commit;
import dev.streamhook.capture.pgoutput.PgOutputDecoder;
import dev.streamhook.capture.pgoutput.PgOutputMessage;
import dev.streamhook.capture.pgoutput.Relation;
import dev.streamhook.capture.pgoutput.TupleData;
import dev.streamhook.capture.pgoutput.ColumnValue;
import dev.streamhook.capture.pgoutput.Update;
import dev.streamhook.capture.types.PgTypes;
import dev.streamhook.event.WebhookPayload;
import dev.streamhook.event.json.JsonValue;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Turning decoded pgoutput messages into ChangeEvents (PgTypes mapping, EventId, row key), one
 * single-change transaction per operation. Here rather than in bench.jmh because ChangeAssembler
 * is package-private. {@code pgTypesUpdateRows} maps the same 24 column values without the
 * assembler, and {@code captureUpdate} is the whole per-event capture work: decode, assemble,
 * encode the body. {@code captureLoadInsert} is that work for the rows the end-to-end benchmark
 * inserts (about 750-byte bodies, a jsonb of nested objects), cycling through a few of them so
 * that the numbers and strings vary as in a backlog.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChangeAssemblerBenchmark {

    private ChangeAssembler assembler;
    private Begin begin;
    private Commit commit;
    private PgOutputMessage insert;
    private PgOutputMessage update;
    private byte[] updateBytes;
    private Relation relation;
    private byte[][] loadInserts;
    private int nextLoadInsert;

    @Setup
    public void setUp() {
        relation = Fixtures.relation();
        assembler = new ChangeAssembler(Fixtures.SOURCE_ID, Fixtures.SOURCE_TAG, Fixtures.DATABASE, oid -> Set.of("id"));
        assembler.accept(relation);
        assembler.accept(Fixtures.loadRelation());
        loadInserts = new byte[16][];
        for (int i = 0; i < loadInserts.length; i++) {
            loadInserts[i] = Fixtures.loadInsertBytes(1 + i * 6_151L);
        }
        begin = Fixtures.begin();
        commit = Fixtures.commit();
        insert = Fixtures.decodedInsert();
        update = Fixtures.decodedUpdate();
        updateBytes = Fixtures.updateBytes();
    }

    @Benchmark
    public ChangeAssembler.Transaction assembleInsert() {
        return oneChange(insert);
    }

    @Benchmark
    public ChangeAssembler.Transaction assembleUpdate() {
        return oneChange(update);
    }

    @Benchmark
    public void pgTypesUpdateRows(Blackhole bh) {
        Update u = (Update) update;
        mapRow(u.oldTuple(), bh);
        mapRow(u.newTuple(), bh);
    }

    @Benchmark
    public byte[] captureUpdate() {
        PgOutputMessage decoded = PgOutputDecoder.decode(ByteBuffer.wrap(updateBytes));
        return oneChange(decoded).events().getFirst().body(); // capture encodes the body as it assembles the event
    }

    @Benchmark
    public byte[] captureLoadInsert() {
        byte[] message = loadInserts[nextLoadInsert++ & loadInserts.length - 1];
        return oneChange(PgOutputDecoder.decode(ByteBuffer.wrap(message))).events().getFirst().body();
    }

    private ChangeAssembler.Transaction oneChange(PgOutputMessage change) {
        assembler.accept(begin);
        assembler.accept(change);
        return assembler.accept(commit);
    }

    private void mapRow(TupleData tuple, Blackhole bh) {
        List<Relation.Column> columns = relation.columns();
        for (int i = 0; i < columns.size(); i++) {
            if (tuple.values().get(i) instanceof ColumnValue.Text t) {
                JsonValue v = PgTypes.toJson(columns.get(i).typeOid(), t.value());
                bh.consume(v);
            }
        }
    }
}
