package dev.streamhook.capture;

import dev.streamhook.capture.pgoutput.LogicalMessage;
import dev.streamhook.event.EncodedEvent;
import dev.streamhook.event.Operation;
import dev.streamhook.store.Database;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a source's {@link SnapshotWorker} and its {@link CaptureRunner} meet: the watermark
 * windows of snapshot chunks (DBLog's method). The worker opens a window, writes a low watermark
 * into the WAL, reads a chunk, hands it over with {@link #ready} and writes a high watermark. The
 * runner, reading the stream in commit order, sees the low watermark ({@link #onMessage}), notes
 * the row keys of the window's table in every change after it ({@link #observe}), and at the high
 * watermark stores the chunk's rows whose keys did not change in the window, right there in the
 * stream: a row read by the snapshot lands in the event log after every change it reflects and
 * before every change it does not, so per-row order needs nothing more from delivery.
 *
 * <p>Thread-safety: the worker's calls and the runner's come from their own threads; a window's
 * fields are handed over through the map (and {@link #ready} happens before the high watermark is
 * written, which the runner sees only after).
 */
final class Watermarks {

    /** The prefix of the logical messages (pg_logical_emit_message) that carry watermarks. */
    static final String PREFIX = "streamhook.watermark";

    /** One chunk's window. {@code stored} completes when the chunk and its progress are committed in the store. */
    static final class Window {
        final String token;
        final TableName table;
        final CompletableFuture<Integer> stored = new CompletableFuture<>();
        private volatile boolean open;
        private final Set<String> changedKeys = ConcurrentHashMap.newKeySet();
        private volatile boolean truncated;
        private volatile List<TableChunks.Row> rows;
        private volatile Database.Work<?> progress;

        private Window(String token, TableName table) {
            this.token = token;
            this.table = table;
        }

        /** The chunk's rows whose key no change in the window touched: the ones to store at the high watermark. */
        List<TableChunks.Row> unchangedRows() {
            if (truncated) {
                return List.of(); // read before the TRUNCATE, stored after it: every row would come back to life
            }
            return rows.stream().filter(r -> !changedKeys.contains(r.rowKey())).toList();
        }

        Database.Work<?> progress() {
            return progress;
        }
    }

    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /** Worker: a window for {@code token}, before its low watermark is written. */
    Window expect(String token, TableName table) {
        Window w = new Window(token, table);
        windows.put(token, w);
        return w;
    }

    /** Worker: the chunk read inside the window, before its high watermark is written. */
    void ready(Window w, List<TableChunks.Row> rows, Database.Work<?> progress) {
        w.rows = rows;
        w.progress = progress;
    }

    /**
     * Worker: gives the window up (its chunk is read again under a new token). False when capture
     * took it meanwhile: then its store write decides.
     */
    boolean forget(Window w) {
        return windows.remove(w.token) != null;
    }

    static byte[] low(String token) {
        return ("L:" + token).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] high(String token) {
        return ("H:" + token).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Runner: a logical message from the stream. Returns the window whose chunk is to be stored now
     * (this was its high watermark), else null. A watermark of a window this node does not know
     * (another source's, or one the worker gave up, or one sent again after a reconnect and
     * already stored) is ignored.
     */
    Window onMessage(LogicalMessage message) {
        if (!PREFIX.equals(message.prefix())) {
            return null;
        }
        String content = new String(message.content(), StandardCharsets.UTF_8);
        if (content.length() < 2) {
            return null;
        }
        Window w = windows.get(content.substring(2));
        if (w == null) {
            return null;
        }
        if (content.startsWith("L:")) {
            w.open = true; // again after a reconnect: the keys noted before stay, as the changes they came from are not sent twice
            return null;
        }
        if (!content.startsWith("H:") || windows.remove(w.token) == null) {
            return null;
        }
        if (!w.open || w.rows == null) {
            w.stored.completeExceptionally(new IllegalStateException("the high watermark came without its low one; the chunk is read again"));
            return null;
        }
        return w;
    }

    /** Runner: changes of the stream, in stream order, as they go to the store. */
    void observe(List<EncodedEvent> events) {
        if (windows.isEmpty()) {
            return;
        }
        for (Window w : windows.values()) {
            if (!w.open) {
                continue;
            }
            Set<String> keys = new HashSet<>();
            for (EncodedEvent e : events) {
                if (e.schema().equals(w.table.schema()) && e.table().equals(w.table.table())) {
                    keys.add(e.rowKey());
                    if (e.oldRowKey() != null) {
                        keys.add(e.oldRowKey()); // a key change: the chunk may hold the row under its old key
                    }
                    if (e.operation() == Operation.TRUNCATE) {
                        w.truncated = true;
                    }
                }
            }
            w.changedKeys.addAll(keys);
        }
    }
}
