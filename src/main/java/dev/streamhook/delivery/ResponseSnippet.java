package dev.streamhook.delivery;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads a response body keeping only its first {@code limit} bytes: the rest is drained and
 * dropped, so an endpoint answering with a huge body cannot fill the heap. Completes with the
 * snippet as text, or null for an empty body.
 */
final class ResponseSnippet implements HttpResponse.BodySubscriber<String> {

    private final byte[] kept;
    private int size;
    private final CompletableFuture<String> result = new CompletableFuture<>();

    ResponseSnippet(int limit) {
        this.kept = new byte[limit];
    }

    @Override
    public CompletionStage<String> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        for (ByteBuffer b : buffers) {
            int n = Math.min(b.remaining(), kept.length - size);
            b.get(kept, size, n);
            size += n;
        }
    }

    @Override
    public void onError(Throwable error) {
        result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        result.complete(size == 0 ? null : new String(kept, 0, size, StandardCharsets.UTF_8));
    }
}
