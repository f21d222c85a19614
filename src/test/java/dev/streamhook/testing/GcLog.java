package dev.streamhook.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The heap a server process took, read from its unified GC log ({@code -Xlog:gc}). Each collection
 * logs the heap in use before and after it and the heap committed, as in
 * {@code GC(7) Pause Young (Normal) (G1 Evacuation Pause) 120M->31M(256M) 4.1ms}: the largest
 * "before" is the peak heap in use (a collector collects when the heap fills), the largest "after"
 * the most the process still held after a young collection (old-generation garbage included, until
 * G1's concurrent cycle frees it). A full collection ({@link #collectNow}, as {@code jcmd GC.run}
 * does) leaves only what is live: the largest heap after one is the live set at its peak, as far as
 * the samples caught it. Reads a file another process writes.
 */
public final class GcLog {

    private static final Pattern HEAP = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    /** What the log shows; sizes in bytes. */
    public record Heap(int collections, long peakUsed, long peakCommitted, int fullCollections, long peakLive) {
        @Override
        public String toString() {
            return "peak heap in use %d MiB, committed at most %d MiB, %d collections; largest live heap after %d full collections %d MiB"
                    .formatted(peakUsed >> 20, peakCommitted >> 20, collections, fullCollections, peakLive >> 20);
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
        int full = 0;
        long used = 0;
        long committed = 0;
        long live = 0;
        for (String line : lines) {
            Matcher m = HEAP.matcher(line);
            if (m.find()) {
                collections++;
                used = Math.max(used, bytes(m.group(1), m.group(2)));
                committed = Math.max(committed, bytes(m.group(5), m.group(6)));
                if (line.contains("Pause Full")) {
                    full++;
                    live = Math.max(live, bytes(m.group(3), m.group(4)));
                }
            }
        }
        return new Heap(collections, used, committed, full, live);
    }

    /**
     * Makes process {@code pid} (a JVM of this user) run a full collection now, through
     * {@code jcmd <pid> GC.run}, so its GC log shows what is live at this moment. Waits for it.
     */
    public static void collectNow(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + jcmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
