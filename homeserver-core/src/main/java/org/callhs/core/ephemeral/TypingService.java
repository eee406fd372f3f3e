package org.callhs.core.ephemeral;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.callhs.core.spi.ClusterBroadcast;
import org.callhs.core.sync.Streams;
import org.callhs.core.sync.UpdateNotifier;

/**
 * Who is typing where (Client-Server API "Typing Notifications"). Held in memory only, as
 * typing does not outlive a few seconds: every change (start, stop, expiry) takes the next
 * position on the {@code typing} stream and wakes the room. A timer expires typists whose
 * timeout ran out.
 *
 * <p>Positions are milliseconds of the clock (the next one is the later of "now" and the last
 * one plus one): they keep growing across restarts, and in a cluster every instance, which
 * applies every other instance's starts and stops ({@link ClusterBroadcast}, topic
 * {@value #TOPIC}: room, user, expiry or empty for a stop), numbers the same change with about
 * the same position, so a {@code /sync} token from one instance means the same on another. A
 * broadcast may be lost (the doorbell says so of itself): a typist then shows on the other
 * instances late, or stays until their expiry.
 */
public final class TypingService implements AutoCloseable {
    /** Longest typing timeout honoured, as Synapse caps it. */
    public static final long MAX_TIMEOUT_MS = 120_000;

    /** One room's typists (user to expiry time) and the position of its latest change. */
    private record RoomTyping(Map<String, Long> expiries, long position) {}

    /** The cluster topic of typing changes. */
    static final String TOPIC = "typing";

    private final Map<String, RoomTyping> rooms = new ConcurrentHashMap<>();
    private final AtomicLong stream;
    private final UpdateNotifier notifier;
    private final Clock clock;
    private final ClusterBroadcast cluster;
    private final ScheduledExecutorService timer;

    public TypingService(UpdateNotifier notifier, Clock clock, ClusterBroadcast cluster) {
        this.notifier = notifier;
        this.clock = clock;
        this.cluster = cluster;
        this.stream = new AtomicLong(clock.millis());
        cluster.onBroadcast(TOPIC, this::applyRelayed);
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("typing-expiry").daemon().factory());
        timer.scheduleWithFixedDelay(this::expire, 1, 1, TimeUnit.SECONDS);
    }

    public long currentPosition() {
        return stream.get();
    }

    public void started(String roomId, String userId, long timeoutMs) {
        long expiry = clock.millis() + Math.min(Math.max(timeoutMs, 0), MAX_TIMEOUT_MS);
        start(roomId, userId, expiry);
        cluster.broadcast(TOPIC, List.of(roomId, userId, Long.toString(expiry)));
    }

    public void stopped(String roomId, String userId) {
        stop(roomId, userId);
        cluster.broadcast(TOPIC, List.of(roomId, userId, ""));
    }

    private void start(String roomId, String userId, long expiry) {
        change(roomId, typists -> typists.put(userId, expiry) == null);
    }

    private void stop(String roomId, String userId) {
        change(roomId, typists -> typists.remove(userId) != null);
    }

    /** A start or stop another instance of the cluster applied; anything else is ignored. */
    private void applyRelayed(List<String> keys) {
        if (keys.size() != 3) return;
        if (keys.get(2).isEmpty()) {
            stop(keys.get(0), keys.get(1));
            return;
        }
        try {
            start(keys.get(0), keys.get(1), Math.min(Long.parseLong(keys.get(2)), clock.millis() + MAX_TIMEOUT_MS));
        } catch (NumberFormatException e) {
            // not ours
        }
    }

    /** The room's typists, if the room's typing changed after {@code since}; null otherwise. */
    public List<String> typistsIfChanged(String roomId, long since) {
        RoomTyping typing = rooms.get(roomId);
        if (typing == null || typing.position() <= since) return null;
        return new ArrayList<>(typing.expiries().keySet());
    }

    /** The room's typists now. */
    public List<String> typists(String roomId) {
        RoomTyping typing = rooms.get(roomId);
        return typing == null ? List.of() : new ArrayList<>(typing.expiries().keySet());
    }

    private interface Change {
        /** Applies the change; true when the set of typists changed. */
        boolean apply(Map<String, Long> typists);
    }

    private void change(String roomId, Change change) {
        long[] position = {0};
        rooms.compute(roomId, (id, current) -> {
            Map<String, Long> typists = current == null ? new ConcurrentHashMap<>() : new ConcurrentHashMap<>(current.expiries());
            if (!change.apply(typists) && current != null) {
                // Renewed timeout only: keep the position, nobody needs waking.
                return new RoomTyping(Map.copyOf(typists), current.position());
            }
            long now = clock.millis();
            position[0] = stream.updateAndGet(last -> Math.max(last + 1, now));
            return new RoomTyping(Map.copyOf(typists), position[0]);
        });
        if (position[0] > 0) notifier.roomUpdated(Streams.TYPING, position[0], roomId);
    }

    private void expire() {
        long now = clock.millis();
        for (Map.Entry<String, RoomTyping> entry : rooms.entrySet()) {
            for (Map.Entry<String, Long> typist : entry.getValue().expiries().entrySet()) {
                if (typist.getValue() <= now) {
                    String user = typist.getKey();
                    change(entry.getKey(), typists -> {
                        Long expiry = typists.get(user);
                        return expiry != null && expiry <= now && typists.remove(user) != null;
                    });
                }
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
