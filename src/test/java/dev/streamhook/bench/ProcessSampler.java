package dev.streamhook.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU and memory of another process, from Linux's /proc: CPU is utime+stime of
 * {@code /proc/<pid>/stat} over a window, as percent of one core (200% = two cores busy), and the
 * same per kind of thread from {@code /proc/<pid>/task} (the JIT compiler, GC, capture...: what a
 * run's CPU went to); memory is {@code VmRSS} of {@code /proc/<pid>/status}, sampled every 200 ms
 * on a daemon thread. Not thread-safe beyond that: one owner opens and finishes windows;
 * {@link #close()} stops sampling.
 */
final class ProcessSampler implements AutoCloseable {

    /** What the process used in one window. */
    record Usage(double seconds, double cpuPercent, double rssPeakMb, double rssAvgMb, Map<String, Double> cpuPercentByThread) {
    }

    private static final long CLOCK_TICKS = clockTicks();
    private final long pid;
    private final Thread thread;
    private volatile boolean running = true;
    private long windowTicks;
    /** Each live thread's ticks at the window's start; a thread started since counts from zero. */
    private Map<String, Long> windowThreadTicks = Map.of();
    /** The last ticks seen of every thread of the window, so one that ended before its finish still counts. */
    private final Map<String, ThreadTicks> lastThreadTicks = new HashMap<>();
    private long windowStartNanos;
    private long rssPeakKb;
    private long rssSumKb;
    private long rssSamples;

    /** @param fromProcessStart count CPU from the process's start (zero ticks) rather than from now */
    ProcessSampler(long pid, boolean fromProcessStart) {
        this.pid = pid;
        startWindow();
        if (fromProcessStart) {
            windowTicks = 0;
            windowThreadTicks = Map.of();
        }
        thread = new Thread(this::sampleLoop, "sampler-" + pid);
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts a new window: CPU and RSS figures are reported from now on. */
    synchronized void startWindow() {
        windowTicks = cpuTicks();
        lastThreadTicks.clear();
        sampleThreads();
        Map<String, Long> atStart = new HashMap<>();
        lastThreadTicks.forEach((tid, t) -> atStart.put(tid, t.ticks()));
        windowThreadTicks = atStart;
        windowStartNanos = System.nanoTime();
        rssPeakKb = 0;
        rssSumKb = 0;
        rssSamples = 0;
        sampleRss();
    }

    synchronized Usage finishWindow() {
        sampleRss();
        double seconds = (System.nanoTime() - windowStartNanos) / 1e9;
        long ticks = cpuTicks() - windowTicks;
        double cpu = seconds > 0 && ticks >= 0 ? 100.0 * ticks / CLOCK_TICKS / seconds : Double.NaN;
        double avg = rssSamples == 0 ? Double.NaN : rssSumKb / 1024.0 / rssSamples;
        sampleThreads();
        Map<String, Double> byKind = new TreeMap<>();
        lastThreadTicks.forEach((tid, t) -> {
            long used = t.ticks() - windowThreadTicks.getOrDefault(tid, 0L);
            if (seconds > 0 && used > 0) {
                byKind.merge(kindOf(t.name()), 100.0 * used / CLOCK_TICKS / seconds, Double::sum);
            }
        });
        return new Usage(seconds, cpu, rssPeakKb / 1024.0, avg, byKind);
    }

    private void sampleLoop() {
        while (running) {
            synchronized (this) {
                sampleRss();
                sampleThreads();
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sampleRss() {
        long kb = rssKb();
        if (kb > 0) {
            rssPeakKb = Math.max(rssPeakKb, kb);
            rssSumKb += kb;
            rssSamples++;
        }
    }

    private long cpuTicks() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name may hold spaces and parentheses: fields are counted after the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 (utime) and 15 (stime)
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private record ThreadTicks(String name, long ticks) {
    }

    private void sampleThreads() {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (Stream<Path> threads = Files.list(tasks)) {
            threads.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    lastThreadTicks.put(task.getFileName().toString(), new ThreadTicks(name, Long.parseLong(f[11]) + Long.parseLong(f[12])));
                } catch (IOException | RuntimeException e) {
                    // the thread has ended
                }
            });
        } catch (IOException | RuntimeException e) {
            // the process has exited
        }
    }

    /**
     * What a StreamHook thread does, from its name (Linux keeps 15 characters of it). Virtual
     * threads run on the carrier pool: lanes, the requests they start, API handlers.
     */
    static String kindOf(String threadName) {
        if (threadName.startsWith("C1 CompilerThre") || threadName.startsWith("C2 CompilerThre")) {
            return "jit_compiler";
        }
        if (threadName.startsWith("GC Thread") || threadName.startsWith("G1 ") || threadName.equals("VM Thread")) {
            return "gc_and_vm";
        }
        if (threadName.startsWith("ForkJoinPool")) {
            return "virtual_threads_lanes";
        }
        if (threadName.startsWith("webhook-client")) {
            return "http_client";
        }
        if (threadName.startsWith("store-")) {
            return "store";
        }
        if (threadName.startsWith("capture-") || threadName.startsWith("snapshot-")) {
            return "capture";
        }
        return "other";
    }

    private long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process has exited
        }
        return -1;
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return Long.parseLong(out);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
