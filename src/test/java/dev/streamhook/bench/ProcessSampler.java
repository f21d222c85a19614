package dev.streamhook.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU and memory of another process, from Linux's /proc: CPU is utime+stime of
 * {@code /proc/<pid>/stat} over a window, as percent of one core (200% = two cores busy); memory is
 * {@code VmRSS} of {@code /proc/<pid>/status}, sampled every 200 ms on a daemon thread. Not
 * thread-safe beyond that: one owner opens and finishes windows; {@link #close()} stops sampling.
 */
final class ProcessSampler implements AutoCloseable {

    /** What the process used in one window. */
    record Usage(double seconds, double cpuPercent, double rssPeakMb, double rssAvgMb) {
    }

    private static final long CLOCK_TICKS = clockTicks();
    private final long pid;
    private final Thread thread;
    private volatile boolean running = true;
    private long windowTicks;
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
        }
        thread = new Thread(this::sampleLoop, "sampler-" + pid);
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts a new window: CPU and RSS figures are reported from now on. */
    synchronized void startWindow() {
        windowTicks = cpuTicks();
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
        return new Usage(seconds, cpu, rssPeakKb / 1024.0, avg);
    }

    private void sampleLoop() {
        while (running) {
            synchronized (this) {
                sampleRss();
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
