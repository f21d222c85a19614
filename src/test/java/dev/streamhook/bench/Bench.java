package dev.streamhook.bench;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/streamhook bench}: the end-to-end benchmark. StreamHook runs as a separate process
 * (the built jar) and is driven only through its REST API and environment, so the same harness
 * measures any version of the store and delivery engine. Baselines are measured in the same run
 * on the same changes, so the report says how far StreamHook is from what this machine can do.
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (BenchOptions.Help help) {
            System.out.print(BenchOptions.HELP);
            System.exit(0);
            return;
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (!Files.isRegularFile(options.jar())) {
            System.err.println("bench: " + options.jar() + " does not exist; build it with bin/streamhook build");
            System.exit(2);
        }
        List<Figures.Scenario> results = run(options, args);
        boolean complete = results.stream().allMatch(Figures.Scenario::complete);
        if (!complete) {
            System.err.println("bench: some events did not arrive; see the report");
        }
        System.exit(complete ? 0 : 1);
    }

    /** Runs the scenarios the arguments name and writes the report; returns what was measured. */
    public static List<Figures.Scenario> run(String... args) throws Exception {
        return run(BenchOptions.parse(args), args);
    }

    private static List<Figures.Scenario> run(BenchOptions options, String... args) throws Exception {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("command", ("bin/streamhook bench " + String.join(" ", args)).trim());
        header.put("quick", options.quick());
        header.put("machine", MachineInfo.collect());
        header.put("store", System.getenv("STREAMHOOK_DATABASE_URL") != null ? "PostgreSQL (STREAMHOOK_DATABASE_URL)" : "embedded SQLite");
        header.put("streamhook_settings", StreamHookProcess.inheritedSettings());
        List<Figures.Scenario> results = new ArrayList<>();
        try (BenchPostgres pg = options.pgUrl() == null ? BenchPostgres.embedded() : BenchPostgres.external(options.pgUrl())) {
            header.put("postgresql", pg.describe());
            Scenarios scenarios = new Scenarios(options, pg);
            Figures.Latency alone = null;
            for (String name : options.scenarios()) {
                switch (name) {
                    case "backlog" -> results.add(scenarios.backlog("backlog", options.backlogEvents(), false));
                    case "backlog-warm" -> results.add(scenarios.warmBacklog("backlog-warm", options.backlogEvents()));
                    case "backlog-batched" -> results.add(scenarios.batchedBacklog("backlog-batched", options.backlogEvents(), options.batchEvents()));
                    case "backlog-single" -> results.add(scenarios.backlog("backlog-single", options.singleRowEvents(), true));
                    case "big-backlog" -> results.add(scenarios.backlog("big-backlog", options.bigBacklogEvents(), false));
                    case "rate" -> {
                        for (double rate : options.rates()) {
                            Figures.Scenario s = scenarios.rate("rate-" + Math.round(rate), rate);
                            results.add(s);
                            if (rate == options.slowRate()) {
                                alone = s.commitToReceipt();
                            }
                        }
                    }
                    case "slow-destination" -> results.add(scenarios.slowDestination("slow-destination", alone));
                    case "retention" -> {
                        results.add(scenarios.retention("retention-off", "forever", options.retentionSeconds(), 1_000));
                        results.add(scenarios.retention("retention-on", options.retentionSeconds() / 6 + "s", options.retentionSeconds(), 1_000));
                    }
                    default -> throw new IllegalArgumentException("unknown scenario " + name);
                }
                // written after each scenario, so a long run that is stopped still leaves what it measured
                ReportWriter.write(options.out(), header, results);
            }
        }
        ReportWriter.write(options.out(), header, results);
        System.out.println("bench: wrote " + options.out().resolve("results.md") + ", results.json and results.svg");
        return results;
    }
}
