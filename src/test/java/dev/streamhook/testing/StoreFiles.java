package dev.streamhook.testing;

import dev.streamhook.config.StoreUrl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What someone who copied a node's store would see: the raw bytes of the embedded store's files, or
 * every row of the PostgreSQL store as text.
 */
public final class StoreFiles {

    private StoreFiles() {
    }

    /** Names of the SQLite files in {@code dataDir} ({@code streamhook.db} and its -wal/-shm) that contain {@code text} as UTF-8. */
    public static List<String> filesContaining(Path dataDir, String text) {
        String postgres = TestNodes.storeSettings(dataDir).get("STREAMHOOK_DATABASE_URL");
        if (postgres != null) {
            return tablesContaining(postgres, text);
        }
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.list(dataDir)) {
            List<Path> store = files.filter(p -> p.getFileName().toString().startsWith("streamhook.db")).toList();
            if (store.stream().noneMatch(p -> p.getFileName().toString().equals("streamhook.db"))) {
                throw new IllegalStateException("no streamhook.db in " + dataDir);
            }
            return store.stream().filter(p -> contains(read(p), needle)).map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names of the tables ({@code table:name}) of the PostgreSQL store at {@code url} with a row whose text holds {@code text}. */
    private static List<String> tablesContaining(String url, String text) {
        StoreUrl store = StoreUrl.parse("STREAMHOOK_DATABASE_URL", url);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(store.jdbcUrl(), store.user(), store.password())) {
            List<String> tables = new java.util.ArrayList<>();
            try (var q = c.createStatement().executeQuery(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")) {
                while (q.next()) {
                    tables.add(q.getString(1));
                }
            }
            List<String> found = new java.util.ArrayList<>();
            for (String table : tables) {
                try (var q = c.prepareStatement("SELECT count(*) FROM \"" + table + "\" t WHERE strpos(t::text, ?) > 0")) {
                    q.setString(1, text);
                    var rs = q.executeQuery();
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        found.add("table:" + table);
                    }
                }
            }
            if (!tables.contains("events")) {
                throw new IllegalStateException("no StreamHook store at " + url);
            }
            return found;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot read the PostgreSQL store " + url, e);
        }
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
