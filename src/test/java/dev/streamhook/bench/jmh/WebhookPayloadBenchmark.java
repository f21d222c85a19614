package dev.streamhook.bench.jmh;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamhook.event.ChangeEvent;
import dev.streamhook.event.PreviousEncoding;
import dev.streamhook.event.WebhookPayload;
import dev.streamhook.event.json.JsJson;
import dev.streamhook.event.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The webhook body of an UPDATE of the orders table (about 600 bytes). {@code encode} is what
 * capture does per event; {@code stringifyUtf8} writes the same payload as a JsonValue tree, the
 * way it was encoded before the envelope was written directly (PreviousEncoding). The baseline is Jackson writing an equivalent Map tree: not the same bytes (Jackson writes 149.9
 * and 1048576 as Java would), only a yardstick for a general-purpose JSON writer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class WebhookPayloadBenchmark {

    private ChangeEvent event;
    private JsonValue tree;
    private Map<String, Object> map;
    private ObjectMapper jackson;

    @Setup
    public void setUp() {
        event = Fixtures.updateEvent();
        tree = PreviousEncoding.toJson(event);
        map = asMap(tree);
        jackson = new ObjectMapper();
    }

    @Benchmark
    public byte[] encode() {
        return WebhookPayload.encode(event);
    }

    @Benchmark
    public byte[] stringifyUtf8() {
        return JsJson.stringifyUtf8(tree);
    }

    @Benchmark
    public byte[] baselineJacksonMap() throws JsonProcessingException {
        return jackson.writeValueAsBytes(map);
    }

    /** The same tree as plain Maps, Lists, Strings, Doubles and Booleans, the way Jackson users build it. */
    private static Object plain(JsonValue v) {
        return switch (v) {
            case JsonValue.Null n -> null;
            case JsonValue.Bool b -> b.value();
            case JsonValue.Num n -> n.value();
            case JsonValue.Str s -> s.value();
            case JsonValue.Arr a -> {
                List<Object> items = new ArrayList<>();
                a.items().forEach(item -> items.add(plain(item)));
                yield items;
            }
            case JsonValue.Obj o -> asMap(o);
        };
    }

    private static Map<String, Object> asMap(JsonValue obj) {
        Map<String, Object> out = new LinkedHashMap<>();
        ((JsonValue.Obj) obj).fields().forEach((k, v) -> out.put(k, plain(v)));
        return out;
    }
}
