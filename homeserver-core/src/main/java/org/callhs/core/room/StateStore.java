package org.callhs.core.room;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.storage.repo.StateGroupRepository;
import org.callhs.core.storage.repo.StreamPositionRepository;
import org.callhs.core.storage.schema.tables.records.StateGroupEntriesRecord;
import org.callhs.core.storage.schema.tables.records.StateGroupsRecord;
import org.jooq.DSLContext;

/**
 * Immutable room states ("state groups"): each is a delta over a parent, with a full snapshot
 * every {@value #SNAPSHOT_EVERY} generations, so loading one reads at most that many groups.
 * Groups never change once written, so the cache of resolved states needs no invalidation.
 * (The design is described in homeserver-core's storage README section of README.md.)
 */
public final class StateStore {
    static final int SNAPSHOT_EVERY = 100;

    /** A stored group: its ID, generation and full resolved state (type/key to event ID). */
    public record Group(long id, int generation, Map<StateKey, String> state) {}

    private final StateGroupRepository groups;
    private final StreamPositionRepository streams;
    /**
     * Resolved groups, bounded by the number of state entries they hold (not by group count):
     * a big room's groups each carry its whole state, so counting groups could hold millions
     * of entries. Two million entries is on the order of a few hundred MiB at most.
     */
    private final Cache<Long, Group> cache = Caffeine.newBuilder()
            .maximumWeight(2_000_000)
            .weigher((Long id, Group group) -> group.state().size() + 1)
            .build();

    public StateStore(StateGroupRepository groups, StreamPositionRepository streams) {
        this.groups = groups;
        this.streams = streams;
    }

    /**
     * Writes the state {@code parent} + {@code delta} as a new group (inside the caller's
     * transaction) and caches it. A rolled-back group stays cached under its ID: on SQLite the
     * counter hands that ID out again, but only to the next append, whose entry replaces it before
     * anything can load it; on PostgreSQL IDs come from a sequence and are never handed out again,
     * so another instance can never commit a different state under an ID cached here.
     */
    public Group append(DSLContext tx, String roomId, Group parent, Map<StateKey, String> delta) {
        long id = nextId(tx);
        Map<StateKey, String> full = new LinkedHashMap<>(parent == null ? Map.of() : parent.state());
        full.putAll(delta);
        boolean snapshot = parent == null || parent.generation() + 1 >= SNAPSHOT_EVERY;
        int generation = snapshot ? 0 : parent.generation() + 1;
        groups.insertGroup(tx, id, roomId, snapshot ? null : parent.id(), generation);
        groups.insertEntries(tx, id, asRows(snapshot ? full : delta));
        Group group = new Group(id, generation, Map.copyOf(full));
        cache.put(id, group);
        return group;
    }

    /** A new group ID: PostgreSQL's sequence (never reused, no lock: migration V14), SQLite's counter (one writer). */
    private long nextId(DSLContext tx) {
        if (tx.dialect().family() == org.jooq.SQLDialect.POSTGRES) {
            return tx.nextval(org.jooq.impl.DSL.sequence(org.jooq.impl.DSL.name("state_group_ids"), Long.class));
        }
        return streams.next(tx, "state_groups");
    }

    /** The full state of a group. */
    public Group load(DSLContext tx, long groupId) {
        Group cached = cache.getIfPresent(groupId);
        if (cached != null) return cached;
        StateGroupsRecord record = groups.findGroup(tx, groupId)
                .orElseThrow(() -> new IllegalStateException("missing state group " + groupId));
        Map<StateKey, String> state = new HashMap<>();
        if (record.getParentGroup() != null) state.putAll(load(tx, record.getParentGroup()).state());
        for (StateGroupEntriesRecord entry : groups.entries(tx, groupId)) {
            state.put(StateKey.of(entry.getEventType(), entry.getStateKey()), entry.getEventId());
        }
        Group group = new Group(groupId, record.getGeneration(), Map.copyOf(state));
        cache.put(groupId, group);
        return group;
    }

    private static Map<List<String>, String> asRows(Map<StateKey, String> state) {
        Map<List<String>, String> rows = new LinkedHashMap<>();
        state.forEach((k, v) -> rows.put(List.of(k.type(), k.stateKey()), v));
        return rows;
    }
}
