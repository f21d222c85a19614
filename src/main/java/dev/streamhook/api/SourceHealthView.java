package dev.streamhook.api;

import dev.streamhook.capture.SourceDatabase;
import dev.streamhook.capture.TableInfo;
import dev.streamhook.config.Config;
import dev.streamhook.store.Sources;
import dev.streamhook.store.Sources.Source;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a source's view says about the health of its slot and tables, from the store alone: warnings
 * when capture has not streamed for {@link Config.CaptureAlerts#stallAfter()} or the slot's lag
 * passed {@link Config.CaptureAlerts#slotLagWarnBytes()} (so WAL never grows unseen on the user's
 * database), and the replica identity of each captured table as capture last inspected it. Also
 * renders table discovery. Stateless; thread-safe.
 */
final class SourceHealthView {

    private final Config.CaptureAlerts alerts;

    SourceHealthView(Config.CaptureAlerts alerts) {
        this.alerts = alerts;
    }

    /** Adds this view's fields to a source's view: {@code tables} as {@code "*"}, {@code table_details}, warnings. */
    void addTo(Map<String, Object> view, Source s, long now) {
        if (s.allTables()) {
            view.put("tables", "*");
        }
        String details = s.health().tableDetailsJson();
        view.put("table_details", details == null ? null : Json.raw(details.getBytes(StandardCharsets.UTF_8)));
        @SuppressWarnings("unchecked")
        List<String> warnings = new ArrayList<>((List<String>) view.getOrDefault("warnings", List.of()));
        warnings.addAll(warnings(s, now));
        view.put("warnings", warnings);
    }

    /** Why the source's database may be keeping WAL for StreamHook; empty when nothing is wrong. */
    List<String> warnings(Source s, long now) {
        List<String> out = new ArrayList<>();
        Long since = s.health().statusSince();
        if (s.status() != Sources.Status.ACTIVE && since != null && now - since >= alerts.stallAfter().toMillis()) {
            out.add("capture has not streamed for " + human(Duration.ofMillis(now - since)) + " (status " + s.status().wire()
                    + "): the database keeps all WAL since for the slot '" + s.slotName() + "'; see status_message");
        }
        if (s.slotLagBytes() != null && s.slotLagBytes() >= alerts.slotLagWarnBytes()) {
            out.add("the slot '" + s.slotName() + "' holds " + s.slotLagBytes() + " bytes of WAL on the database (over "
                    + alerts.slotLagWarnBytes() + ", STREAMHOOK_SLOT_LAG_WARN_BYTES)");
        }
        if ("unreserved".equals(s.health().slotWalStatus())) {
            out.add("the slot '" + s.slotName() + "' is past max_slot_wal_keep_size (wal_status = unreserved): the database will "
                    + "invalidate it at its next checkpoint unless capture catches up");
        }
        return out;
    }

    /** The answer of table discovery, before ({@code published} null) or after a source exists. */
    static Map<String, Object> discovery(SourceDatabase.Discovery d) {
        List<String> problems = new ArrayList<>();
        if (!"logical".equals(d.walLevel())) {
            problems.add("wal_level is '" + d.walLevel() + "' but capture needs 'logical'");
        }
        if (!d.canReplicate()) {
            problems.add("the role may not replicate: it needs the REPLICATION attribute");
        }
        List<Map<String, Object>> tables = new ArrayList<>();
        for (TableInfo t : d.tables()) {
            tables.add(t.view(d.published() == null ? null : d.published().contains(t.name())));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("server_version", d.serverVersion());
        out.put("wal_level", d.walLevel());
        out.put("can_replicate", d.canReplicate());
        out.put("problems", problems);
        out.put("data", tables);
        return out;
    }

    private static String human(Duration d) {
        return d.toHours() >= 1 ? d.toHours() + " h " + d.toMinutesPart() + " min" : d.toMinutes() >= 1
                ? d.toMinutes() + " min " + d.toSecondsPart() + " s" : d.toSeconds() + " s";
    }
}
