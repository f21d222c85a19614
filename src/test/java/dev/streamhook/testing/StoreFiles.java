package dev.streamhook.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The raw bytes of a node's embedded store, as someone who copied the data directory would see them. */
public final class StoreFiles {

    private StoreFiles() {
    }

    /** Names of the SQLite files in {@code dataDir} ({@code streamhook.db} and its -wal/-shm) that contain {@code text} as UTF-8. */
    public static List<String> filesContaining(Path dataDir, String text) {
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
