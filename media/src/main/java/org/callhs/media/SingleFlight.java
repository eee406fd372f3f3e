package org.callhs.media;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;

/**
 * One computation per key at a time: a caller that finds the key's work running waits for it
 * and shares its result or its failure (a remote fetch, a thumbnail, a URL preview). The work
 * runs on the first caller's thread, outside any lock, since it blocks on the network or the CPU.
 */
final class SingleFlight<T> {
    private final Map<String, CompletableFuture<T>> running = new ConcurrentHashMap<>();

    T run(String key, Supplier<T> work) {
        CompletableFuture<T> mine = new CompletableFuture<>();
        CompletableFuture<T> other = running.putIfAbsent(key, mine);
        if (other == null) {
            try {
                mine.complete(work.get());
            } catch (RuntimeException e) {
                mine.completeExceptionally(e);
            } finally {
                running.remove(key, mine);
            }
            other = mine;
        }
        try {
            return other.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MatrixException(ErrCode.UNKNOWN, 503, "Interrupted while waiting for the same request's work");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new MatrixException(ErrCode.UNKNOWN, 500, "The shared work failed: " + e.getCause());
        }
    }
}
