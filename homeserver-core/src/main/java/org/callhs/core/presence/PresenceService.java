package org.callhs.core.presence;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.PresenceRepository;
import org.callhs.core.storage.repo.StreamPositionRepository;
import org.callhs.core.storage.schema.tables.records.PresenceRecord;
import org.callhs.core.sync.Streams;
import org.callhs.core.sync.UpdateNotifier;
import org.callhs.core.util.Json;

/**
 * Presence of local users (Client-Server API "Presence"). A change of state or status message
 * takes the next position on the {@code presence} stream and wakes the user and everyone who
 * shares a room with them; a mere activity refresh ({@link #touch}) is written at most once a
 * minute and does not wake anyone.
 */
public final class PresenceService {
    /** A user counts as currently active this long after their last activity. */
    public static final long CURRENTLY_ACTIVE_MS = 60_000;
    private final Database database;
    private final PresenceRepository presence;
    private final StreamPositionRepository streams;
    private final UpdateNotifier notifier;
    private final Clock clock;
    private final org.callhs.core.cluster.CacheInvalidations invalidations;
    /** The name of {@link #known}'s evictions between instances. */
    static final String CACHE = "presence";
    /** Last known row per user, so that the presence refresh of every /sync needs no read (dropped on writes, kept 30 s at most). */
    private final com.github.benmanes.caffeine.cache.Cache<String, PresenceRecord> known = com.github.benmanes.caffeine.cache.Caffeine
            .newBuilder().maximumSize(100_000).expireAfterWrite(java.time.Duration.ofSeconds(30)).build();

    public PresenceService(Database database, PresenceRepository presence, StreamPositionRepository streams,
                           UpdateNotifier notifier, Clock clock, org.callhs.core.cluster.CacheInvalidations invalidations) {
        this.invalidations = invalidations;
        invalidations.register(CACHE, keys -> {
            if (keys.isEmpty()) known.invalidateAll(); else known.invalidateAll(keys);
        });
        this.database = database;
        this.presence = presence;
        this.streams = streams;
        this.notifier = notifier;
        this.clock = clock;
    }

    /** Who hears of a local user's presence change besides local peers (the servers sharing a room, over federation). */
    @FunctionalInterface
    public interface Publisher {
        void published(String userId, ObjectNode content);

        Publisher NONE = (userId, content) -> { };
    }

    private volatile Publisher publisher = Publisher.NONE;

    public void publishTo(Publisher publisher) { this.publisher = publisher; }

    /** Sets state and status message (null keeps none); the servers sharing a room with the user hear of it. */
    public void set(String userId, String state, String statusMsg) {
        long now = clock.millis();
        write(userId, state, statusMsg, now);
        publisher.published(userId, content(state, statusMsg, now));
    }

    /**
     * Records a remote user's presence as their server sent it ({@code m.presence}): the state,
     * status message and last activity ({@code lastActiveAgo} ms ago), on the presence stream so
     * local users sharing a room see it.
     */
    public void setRemote(String userId, String state, String statusMsg, long lastActiveAgo) {
        write(userId, state, statusMsg, clock.millis() - Math.max(0, lastActiveAgo));
    }

    private void write(String userId, String state, String statusMsg, long lastActiveTs) {
        long now = clock.millis();
        long position = database.transaction(tx -> {
            long next = streams.next(tx, Streams.PRESENCE);
            presence.upsert(tx, userId, state, statusMsg, Math.min(lastActiveTs, now), now, next);
            return next;
        });
        invalidations.invalidate(CACHE, List.of(userId));
        notifier.peersUpdated(Streams.PRESENCE, position, userId);
    }

    /**
     * Called by {@code /sync} with its {@code set_presence}: changes the state when it differs
     * (keeping the status message); otherwise refreshes last activity at most once a minute.
     */
    public void touch(String userId, String state) {
        Optional<PresenceRecord> current = find(userId);
        long now = clock.millis();
        if (current.isEmpty() || !current.get().getState().equals(state)) {
            set(userId, state, current.map(PresenceRecord::getStatusMsg).orElse(null));
        } else if (state.equals("online") && now - current.get().getLastActiveTs() > CURRENTLY_ACTIVE_MS) {
            PresenceRecord record = current.get();
            // Only the activity times, and only while the state is still the one read: a change another
            // instance made in the meantime is kept, not written over with the cached row.
            database.transaction(tx -> presence.refreshActive(tx, userId, record.getState(), now));
            invalidations.invalidate(CACHE, List.of(userId));
        }
    }

    public Optional<PresenceRecord> find(String userId) {
        PresenceRecord cached = known.getIfPresent(userId);
        if (cached != null) return Optional.of(cached);
        Optional<PresenceRecord> found = presence.find(database.dsl(), userId);
        found.ifPresent(r -> known.put(userId, r));
        return found;
    }

    /** Presence changes of these users in {@code (after, upTo]}. */
    public List<PresenceRecord> changed(Collection<String> userIds, long after, long upTo) {
        if (userIds.isEmpty()) return List.of();
        return presence.changed(database.dsl(), userIds, after, upTo);
    }

    /** The {@code content} of an {@code m.presence} event or of {@code GET /presence}. */
    public ObjectNode content(PresenceRecord record) {
        return content(record.getState(), record.getStatusMsg(), record.getLastActiveTs());
    }

    private ObjectNode content(String state, String statusMsg, long lastActiveTs) {
        ObjectNode body = Json.object();
        long ago = Math.max(0, clock.millis() - lastActiveTs);
        body.put("presence", state);
        body.put("last_active_ago", ago);
        body.put("currently_active", "online".equals(state) && ago < CURRENTLY_ACTIVE_MS);
        if (statusMsg != null) body.put("status_msg", statusMsg);
        return body;
    }
}
