package dev.streamhook.capture;

import dev.streamhook.capture.SourceException.Reason;

/** A table of the user's database: {@code orders} means {@code public.orders}. Names are exact (case-sensitive). */
public record TableName(String schema, String table) {

    public static TableName parse(String text) {
        if (text == null || text.isBlank()) {
            throw new SourceException(Reason.INVALID_TABLE_NAME, "a table name is empty; use \"orders\" or \"schema.orders\"");
        }
        int dot = text.indexOf('.');
        if (dot < 0) {
            return new TableName("public", text);
        }
        if (dot == 0 || dot == text.length() - 1 || text.indexOf('.', dot + 1) >= 0) {
            throw new SourceException(Reason.INVALID_TABLE_NAME, "'" + text + "' is not a table name; use \"orders\" or \"schema.orders\"");
        }
        return new TableName(text.substring(0, dot), text.substring(dot + 1));
    }

    /** As an SQL identifier, quoted so that any name is safe in DDL. */
    public String quoted() {
        return quote(schema) + "." + quote(table);
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    @Override
    public String toString() {
        return schema + "." + table;
    }
}
