package dev.streamhook.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** The report's value types; immutable, serialized to results.json with snake_case names. */
final class Figures {

    private Figures() {
    }

    /** Percentiles in milliseconds over {@code count} samples (nearest rank). */
    record Latency(long count, double p50, double p95, double p99, double p999, double max) {
        static Latency ofMicros(long[] micros, int n) {
            if (n == 0) {
                return null;
            }
            long[] sorted = Arrays.copyOf(micros, n);
            Arrays.sort(sorted);
            return new Latency(n, rank(sorted, 0.50), rank(sorted, 0.95), rank(sorted, 0.99), rank(sorted, 0.999), sorted[n - 1] / 1000.0);
        }

        private static double rank(long[] sorted, double q) {
            int i = (int) Math.ceil(q * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1000.0;
        }
    }

    /** A figure measured without StreamHook, on the same changes. */
    record Baseline(String what, long count, double seconds, double perSecond, String note) {
    }

    /**
     * The StreamHook process while the scenario ran, and afterwards with nothing to do.
     * {@code cpuPercentByThread} splits the scenario's CPU by kind of thread ({@code ProcessSampler.kindOf}).
     */
    record Server(Double startupSeconds, double cpuPercentOfOneCore, double rssPeakMb, double rssAvgMb,
                  Double idleCpuPercentOfOneCore, long storeBytes, String storeMeasuredAs, Map<String, Double> cpuPercentByThread) {
    }

    /** One scenario's outcome. Fields that do not apply to a scenario are null and left out of the JSON. */
    record Scenario(
            String name,
            String description,
            long expected,
            long received,
            long duplicates,
            long signaturesChecked,
            long signaturesBad,
            boolean complete,
            Double insertSeconds,
            Double offeredRate,
            Double achievedInsertRate,
            Double driverMaxStartLagMs,
            Double deliverySeconds,
            Double eventsPerSecond,
            Double eventsPerSecondFromFirstReceipt,
            Latency commitToReceipt,
            Latency scheduleToReceipt,
            Server server,
            Baseline rawReplicationRead,
            Baseline httpClient,
            Map<String, Object> extra) {

        /**
         * StreamHook's events/s as a fraction of each baseline's rate, when both exist; against the
         * HTTP client also from the first receipt, since that baseline is measured warm, after a
         * pass that is not counted, and StreamHook's figure from its start includes the JVM's start.
         */
        Map<String, Double> ratios() {
            Map<String, Double> r = new LinkedHashMap<>();
            if (eventsPerSecond != null && rawReplicationRead != null) {
                r.put("events_per_s_vs_raw_replication_read", eventsPerSecond / rawReplicationRead.perSecond());
            }
            if (eventsPerSecond != null && httpClient != null) {
                r.put("events_per_s_vs_http_client", eventsPerSecond / httpClient.perSecond());
                if (eventsPerSecondFromFirstReceipt != null) {
                    r.put("events_per_s_from_first_receipt_vs_http_client", eventsPerSecondFromFirstReceipt / httpClient.perSecond());
                }
            }
            return r;
        }
    }
}
