package dev.streamhook.api;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The answer to a request Jetty refuses before any route sees it (a URL with an encoded NUL or
 * bytes that are not UTF-8, a URL or headers too large): the API's JSON error, like every other
 * bad request gets, instead of Jetty's HTML page. Jetty's own reason is not echoed: the message
 * says what to fix. Stateless; one per server.
 */
final class JsonErrorHandler extends ErrorHandler {

    /** Every method gets the body, not only Jetty's GET, POST and HEAD: a refused DELETE or PATCH is told why too. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        // Jetty drops the connection after a request it could not parse: said so, a client does not send its next request on it
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        response.write(true, ByteBuffer.wrap(body(code)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        fields.put(HttpHeader.CONNECTION, "close");
        return ByteBuffer.wrap(body(status));
    }

    private static byte[] body(int status) {
        return switch (status) {
            case 400 -> ErrorMapper.body("invalid_request", "the request could not be read: its URL holds an encoded NUL or bytes that "
                    + "are not UTF-8, or a header is malformed", null);
            case 413 -> ErrorMapper.body("request_too_large", "the request body is too large", null);
            case 414 -> ErrorMapper.body("request_too_large", "the URL is too long", null);
            case 431 -> ErrorMapper.body("request_too_large", "the request's headers are too large", null);
            default -> status >= 500
                    ? ErrorMapper.body("internal_error", "StreamHook failed to handle this request; the server log has the details", null)
                    : ErrorMapper.body("invalid_request", "the request could not be handled (HTTP " + status + ")", null);
        };
    }
}
