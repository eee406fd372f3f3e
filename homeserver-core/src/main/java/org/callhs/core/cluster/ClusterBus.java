package org.callhs.core.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.callhs.core.room.EventListeners;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.StreamPositionRepository;
import org.callhs.core.sync.Streams;
import org.callhs.core.sync.SyncNotifier;
import org.callhs.core.util.Json;
import org.jooq.impl.DSL;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the instances of a cluster (several processes on one PostgreSQL database) learn of each
 * other's writes: a doorbell, never the data. The data is in the database; this only says when
 * to look.
 *
 * <ul>
 *   <li>After this instance commits room events it rings ({@code NOTIFY}, after the commit and
 *       outside the writing transaction, coalesced); the others read the events stream from
 *       where they stand ({@link EventListeners#catchUp}), so their listeners hear every
 *       instance's events in stream order.</li>
 *   <li>The sync notifier's other updates (to-device, account data, receipts, presence, device
 *       lists: rows in the database) are sent with the users or rooms they concern, so a
 *       long-poll on another instance wakes. Updates made while delivering events are not sent:
 *       every instance makes those itself. Typing lives in each instance's memory and is not
 *       sent (see the README).</li>
 *   <li>Cache evictions ({@link CacheInvalidations}: revoked access tokens, ...) are sent with
 *       their keys.</li>
 *   <li>{@code NOTIFY} is lost while a listener is disconnected, so every second each instance
 *       reads the events stream and the other streams' positions anyway, and after a reconnect it
 *       also empties its invalidated caches and wakes every long-poll.</li>
 * </ul>
 *
 * <p>One {@code NOTIFY} payload is at most {@link #MAX_PAYLOAD} bytes (PostgreSQL's limit is
 * 8,000): updates are packed into as many as needed, and an update naming too many users
 * becomes "wake everyone on this stream".
 */
public final class ClusterBus implements SyncNotifier.Relay, CacheInvalidations.Relay, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterBus.class);
    static final String CHANNEL = "callhs_cluster";
    static final int MAX_PAYLOAD = 7_000;
    /** How often the database is read even without a doorbell. */
    static final long POLL_MILLIS = 1_000;
    /** Streams whose rows are in the database; the notifier follows their positions on the poll. */
    private static final Set<String> DATABASE_STREAMS = Set.of(Streams.ACCOUNT_DATA, Streams.TO_DEVICE, Streams.RECEIPTS,
            Streams.DEVICE_LISTS, Streams.PRESENCE);

    private final String instance;
    private final String jdbcUrl;
    private final Database database;
    private final SyncNotifier notifier;
    private final EventListeners events;
    private final StreamPositionRepository streams;
    private final CacheInvalidations invalidations;
    /** Updates ({@link SyncNotifier.Update}) and cache evictions ({@link Eviction}) to send, in order. */
    private final ConcurrentLinkedQueue<Object> outbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean eventsCommitted = new AtomicBoolean();
    private final Semaphore work = new Semaphore(0);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread sender;
    private final Thread listener;
    private volatile Connection listening;

    public ClusterBus(String instance, String jdbcUrl, Database database, SyncNotifier notifier, EventListeners events,
                      StreamPositionRepository streams, CacheInvalidations invalidations) {
        this.instance = instance;
        this.invalidations = invalidations;
        this.jdbcUrl = jdbcUrl;
        this.database = database;
        this.notifier = notifier;
        this.events = events;
        this.streams = streams;
        this.sender = Thread.ofPlatform().daemon().name("cluster-bus-send").unstarted(this::sendLoop);
        this.listener = Thread.ofPlatform().daemon().name("cluster-bus-listen").unstarted(this::listenLoop);
    }

    /** Starts following the other instances and relaying this one's updates. */
    public void start() {
        notifier.relayTo(this);
        events.onCommittedHere(this::eventsCommitted);
        notifier.reachWith(this::reach);
        invalidations.relayTo(this);
        sender.start();
        listener.start();
    }

    @Override
    public void relay(SyncNotifier.Update update) {
        if (update.stream().equals(Streams.TYPING) || update.stream().equals(Streams.EVENTS)) return;
        outbox.add(update);
        work.release();
    }

    private record Eviction(String cache, List<String> keys) {}

    @Override
    public void relay(String cache, List<String> keys) {
        outbox.add(new Eviction(cache, keys));
        work.release();
    }

    private void eventsCommitted() {
        if (eventsCommitted.compareAndSet(false, true)) work.release();
    }

    /**
     * Waits (at most a second) until this instance has caught up with a sync token another
     * instance may have handed out: the events stream delivered up to it, the other streams'
     * positions read.
     */
    private void reach(Map<String, Long> positions) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        boolean others = false;
        for (String stream : DATABASE_STREAMS) {
            if (positions.getOrDefault(stream, 0L) > notifier.current(stream)) others = true;
        }
        if (others) followStreamPositions();
        long wanted = positions.getOrDefault(Streams.EVENTS, 0L);
        while (events.delivered() < wanted && System.nanoTime() < deadline) {
            if (events.catchUp() == 0 && events.delivered() < wanted) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void sendLoop() {
        while (!closed.get()) {
            try {
                work.tryAcquire(POLL_MILLIS, TimeUnit.MILLISECONDS);
                work.drainPermits();
                List<String> payloads = payloads();
                for (String payload : payloads) {
                    database.dsl().select(DSL.function("pg_notify", Object.class, DSL.val(CHANNEL), DSL.val(payload))).fetch();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!closed.get()) log.warn("ringing the other instances failed; they will find the changes on their next poll", e);
            }
        }
    }

    /** What is waiting to be sent, packed into payloads under the size limit. */
    List<String> payloads() {
        List<String> out = new ArrayList<>();
        boolean ring = eventsCommitted.getAndSet(false);
        ObjectNode current = message(ring);
        int size = Json.write(current).length();
        for (Object item; (item = outbox.poll()) != null; ) {
            String field = item instanceof Eviction ? "x" : "u";
            ObjectNode encoded = item instanceof Eviction eviction ? encode(eviction) : encode((SyncNotifier.Update) item);
            int length = Json.write(encoded).getBytes(StandardCharsets.UTF_8).length;
            if (length > MAX_PAYLOAD / 2) {
                // Too many keys for one message: everyone on the stream is woken, the whole cache is dropped.
                encoded = item instanceof Eviction eviction ? encode(new Eviction(eviction.cache(), List.of()))
                        : encode(new SyncNotifier.Update(((SyncNotifier.Update) item).stream(), ((SyncNotifier.Update) item).position(),
                        'a', List.of()));
                length = Json.write(encoded).getBytes(StandardCharsets.UTF_8).length;
            }
            if (size + length + 1 > MAX_PAYLOAD) {
                out.add(Json.write(current));
                current = message(false);
                size = Json.write(current).length();
            }
            current.withArray(field).add(encoded);
            size += length + 1;
        }
        if (ring || current.has("u") || current.has("x")) out.add(Json.write(current));
        return out;
    }

    private ObjectNode message(boolean eventsRing) {
        ObjectNode message = Json.object().put("i", instance);
        if (eventsRing) message.put("e", true);
        return message;
    }

    private static ObjectNode encode(SyncNotifier.Update update) {
        ObjectNode node = Json.object().put("s", update.stream()).put("p", update.position()).put("k", String.valueOf(update.kind()));
        ArrayNode keys = node.putArray("keys");
        update.keys().forEach(keys::add);
        return node;
    }

    private static ObjectNode encode(Eviction eviction) {
        ObjectNode node = Json.object().put("c", eviction.cache());
        ArrayNode keys = node.putArray("keys");
        eviction.keys().forEach(keys::add);
        return node;
    }

    private void listenLoop() {
        long backoff = 100;
        while (!closed.get()) {
            try (Connection connection = DriverManager.getConnection(jdbcUrl)) {
                listening = connection;
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                backoff = 100;
                // Whatever was rung while not listening: read everything, forget cached rows, wake every long-poll.
                invalidations.evictAll();
                poll();
                notifier.wakeAll();
                PGConnection pg = connection.unwrap(PGConnection.class);
                long nextPoll = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS);
                while (!closed.get()) {
                    PGNotification[] notifications = pg.getNotifications((int) POLL_MILLIS / 4);
                    boolean rang = false;
                    if (notifications != null) {
                        for (PGNotification n : notifications) rang |= received(n.getParameter());
                    }
                    if (rang) events.catchUp();
                    if (System.nanoTime() >= nextPoll) {
                        poll();
                        nextPoll = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed.get()) return;
                log.warn("listening to the other instances failed; reconnecting in {} ms", backoff, e);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = Math.min(backoff * 2, 5_000);
            } finally {
                listening = null;
            }
        }
    }

    /** Applies one payload from another instance; true when it says events were committed. */
    boolean received(String payload) {
        JsonNode message;
        try {
            message = Json.parse(payload);
        } catch (RuntimeException e) {
            log.warn("ignoring an unreadable cluster message: {}", e.getMessage());
            return false;
        }
        if (instance.equals(message.path("i").asText())) return false;
        for (JsonNode u : message.path("u")) {
            String stream = u.path("s").asText();
            if (stream.isEmpty() || stream.equals(Streams.TYPING) || stream.equals(Streams.EVENTS)) continue;
            List<String> keys = new ArrayList<>();
            u.path("keys").forEach(k -> keys.add(k.asText()));
            String kind = u.path("k").asText("a");
            notifier.applyRelayed(new SyncNotifier.Update(stream, u.path("p").asLong(), kind.isEmpty() ? 'a' : kind.charAt(0), keys));
        }
        for (JsonNode x : message.path("x")) {
            List<String> keys = new ArrayList<>();
            x.path("keys").forEach(k -> keys.add(k.asText()));
            invalidations.applyRelayed(x.path("c").asText(), keys);
        }
        return message.path("e").asBoolean(false);
    }

    /** The safety net: reads the events stream and the other streams' positions without being rung. */
    private void poll() {
        events.catchUp();
        followStreamPositions();
    }

    private void followStreamPositions() {
        try {
            streams.all(database.dsl()).forEach((stream, position) -> {
                if (DATABASE_STREAMS.contains(stream)) notifier.advance(stream, position);
            });
        } catch (RuntimeException e) {
            log.warn("reading stream positions failed", e);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        notifier.relayTo(null);
        events.onCommittedHere(null);
        notifier.reachWith(null);
        invalidations.relayTo(null);
        sender.interrupt();
        Connection connection = listening;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        try {
            sender.join(2_000);
            listener.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
