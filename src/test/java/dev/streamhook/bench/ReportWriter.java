package dev.streamhook.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes results.json (every figure), results.md (tables) and results.svg (a chart) into one directory. */
final class ReportWriter {

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private ReportWriter() {
    }

    static void write(Path dir, Map<String, Object> header, List<Figures.Scenario> scenarios) throws IOException {
        Files.createDirectories(dir);
        ObjectNode root = JSON.valueToTree(header);
        ArrayNode list = root.putArray("scenarios");
        for (Figures.Scenario s : scenarios) {
            ObjectNode node = JSON.valueToTree(s);
            node.set("ratios", JSON.valueToTree(s.ratios()));
            list.add(node);
        }
        Files.writeString(dir.resolve("results.json"), JSON.writeValueAsString(root) + "\n");
        Files.writeString(dir.resolve("results.md"), markdown(header, scenarios));
        Files.writeString(dir.resolve("results.svg"), chart(scenarios));
    }

    private static String markdown(Map<String, Object> header, List<Figures.Scenario> scenarios) {
        StringBuilder md = new StringBuilder("# StreamHook benchmark results\n\n");
        md.append("Measured by `").append(header.get("command")).append("`; every figure is also in `results.json`.");
        md.append(" How each is measured: `docs/performance.md`.\n\n");
        @SuppressWarnings("unchecked")
        Map<String, Object> machine = (Map<String, Object>) header.get("machine");
        @SuppressWarnings("unchecked")
        Map<String, Object> pg = (Map<String, Object>) header.get("postgresql");
        md.append("Machine: ").append(machine.get("cores")).append(" cores, ").append(machine.get("ram_gb")).append(" GB RAM, ")
                .append(machine.get("cpu_model")).append("; ").append(machine.get("jdk")).append("; PostgreSQL ")
                .append(pg.get("server_version")).append(" (").append(pg.get("where")).append(", synchronous_commit=")
                .append(pg.get("synchronous_commit")).append(", fsync=").append(pg.get("fsync")).append("); store: ")
                .append(header.get("store")).append("; ").append(machine.get("date")).append(".\n\n");
        if (Boolean.TRUE.equals(header.get("quick"))) {
            md.append("**Quick run (`--quick`): counts too small for the figures to mean anything.**\n\n");
        }

        md.append("## Throughput (backlogs)\n\n");
        md.append("| scenario | events | delivered | duplicates | StreamHook events/s (from start) | (from first receipt) |"
                + " raw replication read events/s | HTTP client requests/s | vs raw read | vs HTTP client (from first receipt) |"
                + " server CPU % of a core | RSS peak / avg MB | store MB | idle CPU % |\n");
        md.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for (Figures.Scenario s : scenarios) {
            if (s.rawReplicationRead() == null) {
                continue;
            }
            Map<String, Double> r = s.ratios();
            md.append(row(s.name(), count(s.expected()), count(s.received()), count(s.duplicates()), num(s.eventsPerSecond()),
                    num(s.eventsPerSecondFromFirstReceipt()), num(s.rawReplicationRead().perSecond()),
                    s.httpClient() == null ? "-" : num(s.httpClient().perSecond()),
                    pct(r.get("events_per_s_vs_raw_replication_read")),
                    pct(r.get("events_per_s_vs_http_client")) + " (" + pct(r.get("events_per_s_from_first_receipt_vs_http_client")) + ")",
                    num(s.server().cpuPercentOfOneCore()), num(s.server().rssPeakMb()) + " / " + num(s.server().rssAvgMb()),
                    num(s.server().storeBytes() / 1e6), num(s.server().idleCpuPercentOfOneCore())));
        }

        md.append("\n## Latency at a steady rate (commit to receipt, ms)\n\n");
        md.append("| scenario | offered/s | inserted/s | delivered | p50 | p95 | p99 | p99.9 | max | scheduled-to-receipt p99 |"
                + " server CPU % of a core | RSS peak MB | idle CPU % |\n");
        md.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for (Figures.Scenario s : scenarios) {
            if (s.offeredRate() == null) {
                continue;
            }
            Figures.Latency l = s.commitToReceipt();
            md.append(row(s.name(), num(s.offeredRate()), num(s.achievedInsertRate()), count(s.received()) + " / " + count(s.expected()),
                    l == null ? "-" : num(l.p50()), l == null ? "-" : num(l.p95()), l == null ? "-" : num(l.p99()),
                    l == null ? "-" : num(l.p999()), l == null ? "-" : num(l.max()),
                    s.scheduleToReceipt() == null ? "-" : num(s.scheduleToReceipt().p99()),
                    num(s.server().cpuPercentOfOneCore()), num(s.server().rssPeakMb()), num(s.server().idleCpuPercentOfOneCore())));
        }
        for (Figures.Scenario s : scenarios) {
            if (s.extra().containsKey("p99_ratio_beside_slow_vs_alone")) {
                md.append(String.format(Locale.ROOT, "%nBeside a slow endpoint the healthy endpoint's p99 was %s ms, against %s ms alone"
                                + " at the same rate (x%.1f); the slow endpoint received %s requests.%n",
                        num((Double) s.extra().get("healthy_p99_beside_slow_ms")), num((Double) s.extra().get("healthy_p99_alone_ms")),
                        (Double) s.extra().get("p99_ratio_beside_slow_vs_alone"), s.extra().get("slow_destination_requests")));
            }
        }
        for (Figures.Scenario s : scenarios) {
            if (s.extra().containsKey("healthy_undelivered_after_wait") && !s.complete()) {
                md.append(String.format(Locale.ROOT, "%nBeside a slow endpoint, %s of the healthy endpoint's %s events had not arrived %s s after"
                                + " the last insert; its percentiles above cover only the events that arrived, so they understate the delay."
                                + " The slow endpoint received %s requests.%n",
                        count(((Number) s.extra().get("healthy_undelivered_after_wait")).longValue()), count(s.expected()),
                        num(((Number) s.extra().get("wait_after_inserts_s")).doubleValue()), s.extra().get("slow_destination_requests")));
            }
        }
        md.append("\n## Server CPU by thread (% of one core over the scenario)\n\n");
        md.append("What StreamHook's CPU went to, from `/proc/<pid>/task`: `jit_compiler` is the JVM compiling hot code (once per"
                + " start), `virtual_threads_lanes` the delivery lanes (with their reads of the store, the requests they start and"
                + " their signing) and the API, `http_client` the webhook client's I/O threads, `store` the store's writer and"
                + " checkpointer, `capture` decoding and encoding changes, `gc_and_vm` the garbage collector.\n\n");
        for (Figures.Scenario s : scenarios) {
            Map<String, Double> by = s.server().cpuPercentByThread();
            if (by == null || by.isEmpty()) {
                continue;
            }
            md.append("- **").append(s.name()).append("**: ");
            md.append(String.join(", ", by.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .map(e -> e.getKey() + " " + num(e.getValue())).toList()));
            md.append(".\n");
        }
        md.append("\n## Notes\n\n");
        for (Figures.Scenario s : scenarios) {
            md.append("- **").append(s.name()).append("**: ").append(s.description()).append(s.complete() ? "" : " — **incomplete: not every event arrived**")
                    .append("; signatures checked ").append(s.signaturesChecked()).append(", bad ").append(s.signaturesBad()).append(".\n");
        }
        return md.toString();
    }

    private static String chart(List<Figures.Scenario> scenarios) {
        SvgChart chart = new SvgChart("StreamHook end to end, beside baselines measured in the same run");
        List<SvgChart.Bar> rates = new ArrayList<>();
        List<SvgChart.Bar> latencies = new ArrayList<>();
        for (Figures.Scenario s : scenarios) {
            if (s.rawReplicationRead() != null) {
                rates.add(new SvgChart.Bar(s.name() + " (" + count(s.expected()) + " events)", "StreamHook, PG to receiver", val(s.eventsPerSecond()), "#2b6cb0"));
                rates.add(new SvgChart.Bar(s.name() + " (" + count(s.expected()) + " events)", "raw replication read", s.rawReplicationRead().perSecond(), "#a0aec0"));
                if (s.httpClient() != null) {
                    rates.add(new SvgChart.Bar(s.name() + " (" + count(s.expected()) + " events)", "JDK HttpClient to receiver", s.httpClient().perSecond(), "#cbd5e0"));
                }
            }
            Figures.Latency l = s.commitToReceipt();
            if (l != null) {
                String g = s.name() + " (" + SvgChart.format(s.offeredRate()) + "/s)";
                latencies.add(new SvgChart.Bar(g, "p50", l.p50(), "#9ae6b4"));
                latencies.add(new SvgChart.Bar(g, "p95", l.p95(), "#48bb78"));
                latencies.add(new SvgChart.Bar(g, "p99", l.p99(), "#2f855a"));
                latencies.add(new SvgChart.Bar(g, "max", l.max(), "#1c4532"));
            }
        }
        chart.panel("Backlog delivery rate (events/s, log scale)", "/s", rates);
        chart.panel("Commit-to-receipt latency at a steady rate (ms, log scale)", "ms", latencies);
        return chart.render();
    }

    private static double val(Double d) {
        return d == null ? 0 : d;
    }

    private static String row(String... cells) {
        return "| " + String.join(" | ", cells) + " |\n";
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String num(Double v) {
        return v == null || v.isNaN() ? "-" : SvgChart.format(v);
    }

    private static String pct(Double ratio) {
        return ratio == null ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * ratio);
    }
}
