package dev.streamhook.observe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether this node is doing its job: the store reachable, capture and delivery running. Each part
 * reports itself when asked (nothing is cached, so the answer is never stale); a part that is not
 * running says why in a sentence an operator can act on.
 *
 * <p>Thread-safe: parts are fixed at construction and their checks may run on any thread.
 */
public final class Health {

    /** One part of the node; {@code problem} is empty while it runs as it should. */
    public record Part(String name, Supplier<Optional<String>> problem) {
    }

    /** Each part's state, {@code "ok"} or what is wrong, in the order the parts were given. */
    public record Report(boolean ready, Map<String, String> parts) {
    }

    private final List<Part> parts;

    public Health(List<Part> parts) {
        this.parts = List.copyOf(parts);
    }

    public Report check() {
        Map<String, String> states = new LinkedHashMap<>();
        boolean ready = true;
        for (Part p : parts) {
            Optional<String> problem;
            try {
                problem = p.problem().get();
            } catch (RuntimeException e) {
                problem = Optional.of("its check failed: " + e.getMessage());
            }
            states.put(p.name(), problem.orElse("ok"));
            ready &= problem.isEmpty();
        }
        return new Report(ready, states);
    }
}
