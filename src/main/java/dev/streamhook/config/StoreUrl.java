package dev.streamhook.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Where a PostgreSQL store lives, from {@code STREAMHOOK_DATABASE_URL}
 * ({@code postgres://user:pass@host:5432/streamhook}). The query string is handed to PgJDBC as is,
 * so {@code ?sslmode=verify-full} and the like work.
 */
public record StoreUrl(String jdbcUrl, String user, String password) {

    public static StoreUrl parse(String setting, String value) {
        if (!(value.startsWith("postgres://") || value.startsWith("postgresql://"))) {
            throw new ConfigException(setting + " must be a postgres://user:pass@host:5432/database URL, got '" + redact(value) + "'");
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new ConfigException(setting + " is not a valid URL (" + e.getReason() + "); percent-encode special characters in the password");
        }
        String path = uri.getRawPath();
        if (uri.getHost() == null || path == null || path.length() <= 1) {
            throw new ConfigException(setting + " must name a host and a database, as in postgres://user:pass@host:5432/streamhook");
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String info = uri.getRawUserInfo();
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? null : decode(info.substring(colon + 1));
        }
        String jdbc = "jdbc:postgresql://" + uri.getRawAuthority().substring(uri.getRawAuthority().indexOf('@') + 1) + path
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new StoreUrl(jdbc, user, password);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /**
     * A connection of its own, outside the store's pools, for a node's long-lived sessions (its
     * signals, its name): named {@code applicationName} in {@code pg_stat_activity}, with TCP
     * keepalives on both sides so that a peer gone silent is noticed, and 10 s to connect.
     */
    public Connection connect(String applicationName) throws SQLException {
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("ApplicationName", applicationName);
        props.setProperty("tcpKeepAlive", "true");
        // and the server's side: a session whose client host went away ends within a minute, not the
        // operating system's two hours, and so does whatever it holds (a node's name)
        props.setProperty("options", "-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3");
        props.setProperty("connectTimeout", "10");
        props.setProperty("loginTimeout", "10");
        return DriverManager.getConnection(jdbcUrl, props);
    }

    /** The URL without its password, for messages. */
    static String redact(String url) {
        return url.replaceAll("://([^:/@]*):[^@/]*@", "://$1:****@");
    }

    @Override
    public String toString() {
        return jdbcUrl + (user == null ? "" : " as " + user);
    }
}
