package dev.streamhook.dashboard;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The dashboard's page and files, read from the jar once at start ({@code static/} beside this
 * class): {@code GET /} is the page, {@code GET /assets/{file}} its script and style sheet. No
 * build step: plain ES modules and CSS. Every answer says its exact content type, forbids sniffing
 * and framing, and carries a Content-Security-Policy that allows only this server's own scripts,
 * styles and connections (no inline script). Files are revalidated on each load ({@code no-cache}
 * with an ETag), so a new version is seen at once and an unchanged one costs a 304.
 * Immutable after construction; thread-safe.
 */
final class StaticAssets {

    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    /** The files served, each with its type by its extension. */
    private static final java.util.List<String> FILES = java.util.List.of("index.html", "app.css", "app.js", "api.js", "dom.js", "account.js",
            "sources.js", "sourceform.js", "sourceedit.js", "destinationedit.js", "charts.js", "manage.js", "events.js", "settings.js");

    private record Asset(byte[] bytes, String type, String etag) {
    }

    private final Map<String, Asset> assets;

    StaticAssets() {
        java.util.HashMap<String, Asset> loaded = new java.util.HashMap<>();
        FILES.forEach(name -> loaded.put(name, load(name, type(name))));
        this.assets = Map.copyOf(loaded);
    }

    void register(RoutesConfig routes) {
        routes.get("/", ctx -> serve(ctx, assets.get("index.html")));
        routes.get("/assets/{file}", ctx -> {
            Asset asset = ctx.pathParam("file").equals("index.html") ? null : assets.get(ctx.pathParam("file"));
            if (asset == null) {
                ctx.status(404).contentType("text/plain; charset=utf-8").result("no such file");
                return;
            }
            serve(ctx, asset);
        });
    }

    /** Headers every dashboard answer gets, pages and JSON alike. */
    static void secure(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
    }

    private static void serve(Context ctx, Asset asset) {
        ctx.header("Cache-Control", "no-cache");
        ctx.header("ETag", asset.etag());
        if (asset.etag().equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.contentType(asset.type()).result(asset.bytes());
    }

    private static Asset load(String name, String type) {
        try (InputStream in = StaticAssets.class.getResourceAsStream("static/" + name)) {
            if (in == null) {
                throw new IllegalStateException("dashboard file static/" + name + " is missing from the jar");
            }
            byte[] bytes = in.readAllBytes();
            String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 12) + "\"";
            return new Asset(bytes, type, etag);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dashboard file " + name, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static String type(String name) {
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        return name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
    }
}
