package dev.streamhook.capture;

import dev.streamhook.capture.SourceException.Reason;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Where the API's calls to users' databases run (validation, slot and publication creation and
 * removal, slot lag): a few threads and a short queue. A database that never answers holds one of
 * these threads for the capped connect timeout ({@link ConnectionSpec#MAX_CONNECT_TIMEOUT_SECONDS}),
 * never the HTTP server's; when all are busy and the queue is full a call is refused at once with
 * {@link Reason#BUSY} (503 with Retry-After), so a flood of slow sources cannot starve
 * {@code /healthz} or any other call. The HTTP thread waits for its own call only, and only once it
 * was accepted, so at most {@code threads + queue} HTTP threads wait at a time.
 *
 * <p>Thread-safe. Its threads are daemons and end when idle, so there is nothing to close.
 */
public final class SourceCheckPool {

    private final ThreadPoolExecutor executor;

    public SourceCheckPool(int threads, int queue) {
        AtomicInteger n = new AtomicInteger();
        executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, "source-check-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        executor.allowCoreThreadTimeOut(true);
    }

    /**
     * Runs {@code call} on the pool and waits for it; its exceptions are thrown as they were.
     *
     * @throws SourceException with {@link Reason#BUSY} at once when the pool and its queue are full
     */
    public <T> T run(Supplier<T> call) {
        Future<T> future;
        try {
            future = executor.submit(call::get);
        } catch (RejectedExecutionException e) {
            throw new SourceException(Reason.BUSY, "StreamHook is checking too many source databases right now; try again in a few seconds");
        }
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a source database", e);
        }
    }

    /** Like {@link #run}, but empty instead of waiting when the pool is full: for figures a response can do without. */
    public <T> Optional<T> runIfFree(Supplier<Optional<T>> call) {
        try {
            return run(call);
        } catch (SourceException e) {
            if (e.reason() == Reason.BUSY) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
