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

    /**
     * Each part's state, {@code "ok"} or what is wrong, in the order the parts were given, and what
     * an operator should act on before it stops a part ({@code warnings}; they do not make the node unready).
     */
    public record Report(boolean ready, Map<String, String> parts, List<String> warnings) {
    }

    private final List<Part> parts;
    private final Supplier<List<String>> warnings;

    public Health(List<Part> parts, Supplier<List<String>> warnings) {
        this.parts = List.copyOf(parts);
        this.warnings = warnings;
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
        List<String> notes;
        try {
            notes = warnings.get();
        } catch (RuntimeException e) {
            notes = List.of("the store's room could not be checked: " + e.getMessage());
        }
        return new Report(ready, states, notes);
    }
}
