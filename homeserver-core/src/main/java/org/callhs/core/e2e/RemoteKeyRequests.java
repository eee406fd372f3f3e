package org.callhs.core.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import org.callhs.core.error.MatrixException;
import org.callhs.core.util.Json;

/**
 * Asks several servers the same kind of key question at once ({@code /user/keys/query} or
 * {@code /user/keys/claim}) and waits for all of them at most the request's {@code timeout}.
 * A server that fails or does not answer in time is reported under {@code failures} by server
 * name ({@code {status, message}}), as the spec's {@code /keys/query} and {@code /keys/claim}
 * describe; the others' answers are returned.
 */
final class RemoteKeyRequests {
    /** The spec's default {@code timeout} for both endpoints. */
    static final long DEFAULT_TIMEOUT_MS = 10_000;
    private static final long MAX_TIMEOUT_MS = 60_000;

    record Results(Map<String, ObjectNode> answers, ObjectNode failures) {}

    private RemoteKeyRequests() {}

    /** The request's {@code timeout} in milliseconds (default 10 s, at most 60 s); 400 when it is not a number. */
    static long timeout(ObjectNode body) {
        JsonNode t = body.get("timeout");
        if (t == null || t.isNull()) return DEFAULT_TIMEOUT_MS;
        if (!t.isIntegralNumber() || t.asLong() < 0) throw MatrixException.badJson("timeout must be a non-negative integer");
        return Math.min(t.asLong(), MAX_TIMEOUT_MS);
    }

    static Results ask(Map<String, ObjectNode> byServer, long timeoutMs, BiFunction<String, ObjectNode, ObjectNode> call) {
        Map<String, ObjectNode> answers = new LinkedHashMap<>();
        ObjectNode failures = Json.object();
        if (byServer.isEmpty()) return new Results(answers, failures);
        Map<String, Future<ObjectNode>> pending = new LinkedHashMap<>();
        // Not closed with try-with-resources: close() would wait for a slow server past the timeout.
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            byServer.forEach((server, request) -> pending.put(server, pool.submit(() -> call.apply(server, request))));
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            for (Map.Entry<String, Future<ObjectNode>> entry : pending.entrySet()) {
                try {
                    long left = Math.max(0, deadline - System.nanoTime());
                    answers.put(entry.getKey(), entry.getValue().get(left, TimeUnit.NANOSECONDS));
                } catch (TimeoutException e) {
                    entry.getValue().cancel(true);
                    failures.set(entry.getKey(), failure(504, "Timed out waiting for " + entry.getKey()));
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable cause = e.getCause();
                    int status = cause instanceof MatrixException m ? m.status() : 503;
                    failures.set(entry.getKey(), failure(status, String.valueOf(cause.getMessage())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failures.set(entry.getKey(), failure(503, "Interrupted"));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return new Results(answers, failures);
    }

    private static ObjectNode failure(int status, String message) {
        return Json.object().put("status", status).put("message", message);
    }
}
