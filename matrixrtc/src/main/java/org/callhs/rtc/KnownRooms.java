package org.callhs.rtc;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Creates LiveKit rooms for token requests, once per room and time-to-live instead of once per
 * request: every participant of a call asks for a token, and LiveKit's {@code CreateRoom} costs
 * far more than the token (the benchmark: about 2,600 tokens/s with a creation per request on
 * this 2-core machine). A room LiveKit confirmed is taken as existing for {@code ttl}; concurrent
 * requests for a room not yet confirmed share one creation. LiveKit's {@code room_finished}
 * webhook forgets a room at once, so the only window left is a room that closed within the
 * time-to-live without the webhook reaching this server; LiveKit keeps a room at least its
 * departure time-out (20 s by default) after its last participant left, so a short time-to-live
 * (5 s by default) keeps that window small. A time-to-live of zero creates on every request, as
 * lk-jwt-service does.
 */
final class KnownRooms {
    /** Creates one LiveKit room. */
    @FunctionalInterface
    interface Creator {
        void create(String room) throws IOException, InterruptedException;
    }

    private final Creator creator;
    private final Cache<String, Boolean> confirmed;
    private final ConcurrentHashMap<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
    private final boolean enabled;

    KnownRooms(Creator creator, Duration ttl) {
        this.creator = creator;
        this.enabled = !ttl.isZero();
        this.confirmed = Caffeine.newBuilder().expireAfterWrite(enabled ? ttl : Duration.ofNanos(1)).maximumSize(100_000).build();
    }

    /** Makes sure {@code room} exists on the SFU; an exception when LiveKit could not create it. */
    void ensure(String room) throws IOException, InterruptedException {
        if (!enabled) {
            creator.create(room);
            return;
        }
        if (confirmed.getIfPresent(room) != null) return;
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> running = inFlight.putIfAbsent(room, mine);
        if (running != null) {
            await(running);
            return;
        }
        try {
            creator.create(room);
            confirmed.put(room, Boolean.TRUE);
            mine.complete(null);
        } catch (IOException | InterruptedException | RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(room, mine);
        }
    }

    /** LiveKit closed {@code room} (its {@code room_finished} webhook). */
    void finished(String room) {
        confirmed.invalidate(room);
    }

    private static void await(CompletableFuture<Void> running) throws IOException, InterruptedException {
        try {
            running.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof InterruptedException ie) throw ie;
            throw new IOException("LiveKit room creation failed: " + e.getCause(), e.getCause());
        }
    }
}
