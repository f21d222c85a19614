package dev.streamhook.store;

/**
 * The two SQL engines the store runs on. The schema and every statement are plain SQL that both
 * accept; what must differ lives here and in the per-dialect migration folder.
 */
public enum Dialect {
    SQLITE("classpath:db/migration/sqlite"),
    POSTGRESQL("classpath:db/migration/postgresql");

    private final String migrations;

    Dialect(String migrations) {
        this.migrations = migrations;
    }

    /** Flyway locations: the shared migrations and this dialect's own. */
    String[] migrationLocations() {
        return new String[] {"classpath:db/migration/common", migrations};
    }

    /**
     * Suffix that locks the rows a SELECT reads until the transaction ends. PostgreSQL needs it so a
     * concurrent writer waits; SQLite has one writer at a time (transactions begin IMMEDIATE), so a
     * read in a write transaction is already stable.
     */
    String lockRows() {
        return this == POSTGRESQL ? " FOR UPDATE" : "";
    }

    /** The larger of two SQL expressions: SQLite's scalar {@code max}, PostgreSQL's {@code GREATEST}. */
    String greatest(String a, String b) {
        return (this == POSTGRESQL ? "GREATEST(" : "max(") + a + ", " + b + ")";
    }
}
