package dev.streamhook.capture;

import dev.streamhook.capture.SourceException.Reason;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A parsed {@code postgres://user:pass@host:port/db?param=value} connection URI, turned into what
 * PgJDBC wants. The libpq parameters sslmode, connect_timeout (capped at
 * {@link #MAX_CONNECT_TIMEOUT_SECONDS}), application_name and password are understood; any other
 * parameter is refused. The driver always gets a password, empty when the URI has none, so it never
 * falls back to a pgpass file on the StreamHook host. Immutable.
 */
public record ConnectionSpec(String host, int port, String database, String user, String password, Map<String, String> params) {

    private static final java.util.List<String> SSL_MODES = java.util.List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    public static ConnectionSpec parse(String uri) {
        if (uri == null || !(uri.startsWith("postgres://") || uri.startsWith("postgresql://"))) {
            throw invalid("connection_uri must start with postgres:// or postgresql://, as in postgres://user:pass@host:5432/mydb");
        }
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            throw invalid("connection_uri is not a valid URI (" + e.getReason() + "); percent-encode special characters in the password");
        }
        String host = parsed.getHost();
        if (host == null || host.isBlank()) {
            throw invalid("connection_uri has no host, as in postgres://user:pass@host:5432/mydb");
        }
        String path = parsed.getRawPath();
        String database = path == null || path.length() <= 1 ? null : decode(path.substring(1));
        if (database == null || database.contains("/")) {
            throw invalid("connection_uri names no database, as in postgres://user:pass@host:5432/mydb");
        }
        String userInfo = parsed.getRawUserInfo();
        if (userInfo == null || userInfo.isEmpty()) {
            throw invalid("connection_uri names no user, as in postgres://user:pass@host:5432/mydb");
        }
        int colon = userInfo.indexOf(':');
        String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
        String password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        Map<String, String> params = new LinkedHashMap<>();
        if (parsed.getRawQuery() != null) {
            for (String pair : parsed.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                if (name.equals("password")) {
                    password = password == null ? value : password;
                } else if (!name.isEmpty()) {
                    params.put(driverProperty(name, value), value);
                }
            }
        }
        return new ConnectionSpec(host.startsWith("[") ? host.substring(1, host.length() - 1) : host,
                parsed.getPort() < 0 ? 5432 : parsed.getPort(), database, user, password, Map.copyOf(params));
    }

    /**
     * The PgJDBC property for a URI parameter. Only these few pass: the driver's other properties
     * load classes (socketFactory, sslfactory) or read files on the StreamHook host (sslkey), which
     * a user's URI must not control.
     */
    private static String driverProperty(String name, String value) {
        return switch (name) {
            case "sslmode" -> {
                if (!SSL_MODES.contains(value)) {
                    throw invalid("connection_uri parameter sslmode must be one of " + String.join(", ", SSL_MODES));
                }
                yield "sslmode";
            }
            case "connect_timeout" -> {
                if (!value.matches("\\d{1,4}")) {
                    throw invalid("connection_uri parameter connect_timeout must be a number of seconds");
                }
                yield "connect_timeout"; // capped in sqlProperties: the URI may ask for less, never more
            }
            case "application_name" -> "ApplicationName";
            default -> throw invalid("connection_uri parameter '" + name + "' is not supported; use only sslmode, connect_timeout, "
                    + "application_name or password");
        };
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static SourceException invalid(String message) {
        return new SourceException(Reason.INVALID_CONNECTION_URI, message);
    }

    public String jdbcUrl() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + h + ":" + port + "/" + java.net.URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Properties for an ordinary SQL connection. */
    public Properties sqlProperties() {
        Properties p = new Properties();
        p.setProperty("socketTimeout", "60");
        p.setProperty("ApplicationName", "streamhook");
        p.putAll(params);
        p.remove("connect_timeout");
        // a blackholed host holds a thread for the connect timeout, so the URI may shorten it but not lengthen it
        // (0 would be "wait forever"); loginTimeout bounds the whole login, against a server that accepts and never answers
        int connectTimeout = Math.min(Integer.parseInt(params.getOrDefault("connect_timeout", "10")), MAX_CONNECT_TIMEOUT_SECONDS);
        String timeout = Integer.toString(connectTimeout == 0 ? MAX_CONNECT_TIMEOUT_SECONDS : connectTimeout);
        p.setProperty("connectTimeout", timeout);
        p.setProperty("loginTimeout", timeout);
        p.setProperty("user", user);
        // always a password, even an empty one: without one PgJDBC would read ~/.pgpass or PGPASSFILE on the StreamHook
        // host and log in to a user's database with the operator's password
        p.setProperty("password", password == null ? "" : password);
        return p;
    }

    /** The longest a connection attempt may take, whatever connect_timeout says. */
    static final int MAX_CONNECT_TIMEOUT_SECONDS = 10;

    /** Properties for a logical replication (walsender) connection. */
    public Properties replicationProperties() {
        Properties p = sqlProperties();
        p.remove("socketTimeout");
        p.setProperty("replication", "database");
        p.setProperty("assumeMinServerVersion", "10");
        p.setProperty("preferQueryMode", "simple");
        // the server pings an idle session every half of this (PostgreSQL 12+ takes it per session); capture
        // blocks in read() and answers each ping with the position it has stored, so an idle slot keeps no WAL
        p.setProperty("options", "-c wal_sender_timeout=" + WAL_SENDER_TIMEOUT_SECONDS + "s");
        return p;
    }

    /** How soon an idle replication session reports its stored position: every half of it. */
    static final int WAL_SENDER_TIMEOUT_SECONDS = 10;

    /**
     * What a user should know about how this connection is protected, for the API to show next to
     * the source: anything short of {@code sslmode=verify-full} lets a machine in the path read the
     * changes or pose as the database. Nothing for a loopback host, where TLS protects nothing.
     */
    public java.util.List<String> warnings() {
        if (host.equals("localhost") || host.startsWith("127.") || host.equals("::1")) {
            return java.util.List.of();
        }
        String mode = params.get("sslmode");
        String fix = "; use sslmode=verify-full to encrypt and check the server's certificate and name";
        if (mode == null || mode.equals("prefer") || mode.equals("allow")) {
            return java.util.List.of("TLS is not verified (sslmode=" + (mode == null ? "prefer, the default" : mode)
                    + "): the connection may be unencrypted and the server is not authenticated" + fix);
        }
        return switch (mode) {
            case "disable" -> java.util.List.of("TLS is off (sslmode=disable): the connection is unencrypted" + fix);
            case "require" -> java.util.List.of("TLS is not verified (sslmode=require): the connection is encrypted but the server "
                    + "is not authenticated" + fix);
            case "verify-ca" -> java.util.List.of("the server's name is not checked (sslmode=verify-ca): any server with a certificate "
                    + "from the same authority is accepted" + fix);
            default -> java.util.List.of();
        };
    }

    /**
     * The URI with every password masked: the user-info password, and the value of any query
     * parameter whose name, percent-decoded and in any case, contains "password"
     * ({@code password}, {@code sslpassword}, {@code pass%77ord}, {@code PASSWORD}). Works on text that
     * does not parse too: what cannot be decoded is masked.
     */
    public static String redact(String uri) {
        if (uri == null) {
            return null;
        }
        int fragment = uri.indexOf('#');
        String text = fragment < 0 ? uri : uri.substring(0, fragment);
        int scheme = text.indexOf("://");
        int authorityStart = scheme < 0 ? 0 : scheme + 3;
        int query = text.indexOf('?', authorityStart);
        int path = text.indexOf('/', authorityStart);
        int authorityEnd = Math.min(path < 0 ? text.length() : path, query < 0 ? text.length() : query);
        StringBuilder out = new StringBuilder();
        String authority = text.substring(authorityStart, authorityEnd);
        int at = authority.lastIndexOf('@');
        int colon = at < 0 ? -1 : authority.indexOf(':');
        out.append(text, 0, authorityStart);
        if (colon >= 0 && colon < at) {
            out.append(authority, 0, colon + 1).append("****").append(authority.substring(at));
        } else {
            out.append(authority);
        }
        out.append(text, authorityEnd, query < 0 ? text.length() : query);
        if (query >= 0) {
            String[] pairs = text.substring(query + 1).split("&", -1);
            out.append('?');
            for (int i = 0; i < pairs.length; i++) {
                String pair = pairs[i];
                int eq = pair.indexOf('=');
                out.append(i == 0 ? "" : "&");
                out.append(eq >= 0 && isSecretName(pair.substring(0, eq)) ? pair.substring(0, eq + 1) + "****" : pair);
            }
        }
        return fragment < 0 ? out.toString() : out.append("#****").toString();
    }

    private static boolean isSecretName(String rawName) {
        try {
            return decode(rawName).toLowerCase(java.util.Locale.ROOT).contains("password");
        } catch (IllegalArgumentException undecodable) {
            return true;
        }
    }

    @Override
    public String toString() {
        return "ConnectionSpec[" + user + "@" + host + ":" + port + "/" + database + "]";
    }
}
