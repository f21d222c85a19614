package dev.streamhook.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The heap a server process took, read from its unified GC log ({@code -Xlog:gc}). Each collection
 * logs the heap in use before and after it and the heap committed, as in
 * {@code GC(7) Pause Young (Normal) (G1 Evacuation Pause) 120M->31M(256M) 4.1ms}: the largest
 * "before" is the peak heap in use (a collector collects when the heap fills), the largest "after"
 * the most the process still held after collecting. Pure: reads a file another process writes.
 */
public final class GcLog {

    private static final Pattern HEAP = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    /** What the log shows; sizes in bytes. */
    public record Heap(int collections, long peakUsed, long peakAfterCollection, long peakCommitted) {
        @Override
        public String toString() {
            return "peak heap in use %d MiB (largest after a collection %d MiB, committed at most %d MiB) over %d collections"
                    .formatted(peakUsed >> 20, peakAfterCollection >> 20, peakCommitted >> 20, collections);
        }
    }

    private GcLog() {
    }

    /** The JVM option that writes the GC log to {@code file} (a path without colons). */
    public static String jvmOption(Path file) {
        String path = file.toAbsolutePath().toString();
        if (path.contains(":")) {
            throw new IllegalArgumentException("-Xlog cannot take a file name with a colon: " + path);
        }
        return "-Xlog:gc:file=" + path;
    }

    public static Heap read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the GC log " + file, e);
        }
        return parse(lines);
    }

    static Heap parse(List<String> lines) {
        int collections = 0;
        long used = 0;
        long after = 0;
        long committed = 0;
        for (String line : lines) {
            Matcher m = HEAP.matcher(line);
            if (m.find()) {
                collections++;
                used = Math.max(used, bytes(m.group(1), m.group(2)));
                after = Math.max(after, bytes(m.group(3), m.group(4)));
                committed = Math.max(committed, bytes(m.group(5), m.group(6)));
            }
        }
        return new Heap(collections, used, after, committed);
    }

    private static long bytes(String number, String unit) {
        long n = Long.parseLong(number);
        return switch (unit) {
            case "K" -> n << 10;
            case "M" -> n << 20;
            default -> n << 30;
        };
    }
}
