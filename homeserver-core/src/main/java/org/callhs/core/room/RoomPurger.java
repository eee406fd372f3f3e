package org.callhs.core.room;

import static org.callhs.core.storage.schema.Tables.ACCOUNT_DATA;
import static org.callhs.core.storage.schema.Tables.CURRENT_STATE;
import static org.callhs.core.storage.schema.Tables.EVENTS;
import static org.callhs.core.storage.schema.Tables.EVENT_EDGES;
import static org.callhs.core.storage.schema.Tables.EVENT_RELATIONS;
import static org.callhs.core.storage.schema.Tables.EVENT_TRANSACTIONS;
import static org.callhs.core.storage.schema.Tables.FORGOTTEN_ROOMS;
import static org.callhs.core.storage.schema.Tables.RECEIPTS;
import static org.callhs.core.storage.schema.Tables.REMOTE_INVITE_STATE;
import static org.callhs.core.storage.schema.Tables.ROOMS;
import static org.callhs.core.storage.schema.Tables.ROOM_ALIASES;
import static org.callhs.core.storage.schema.Tables.ROOM_FORWARD_EXTREMITIES;
import static org.callhs.core.storage.schema.Tables.STATE_GROUPS;
import static org.callhs.core.storage.schema.Tables.STATE_GROUP_ENTRIES;

import java.util.List;
import org.callhs.core.cluster.CacheInvalidations;
import org.callhs.core.spi.RoomPurgeHook;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.RoomRepository;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes every trace of a room from this server: its events and their edges, relations, search
 * entries and transaction IDs, its state groups and current state, extremities, invite state,
 * aliases, receipts, per-room account data, forgotten marks and the room row, with the modules'
 * rows ({@link RoomPurgeHook}), in one transaction under the room's lock. Then every instance
 * forgets what it holds of the room in memory. What a user of the room sent elsewhere stays: the
 * federation queue still delivers the leaves the shutdown wrote, and content reports stay with
 * the admins.
 */
public final class RoomPurger {
    private static final Logger log = LoggerFactory.getLogger(RoomPurger.class);
    private static final String CACHE = "rooms.purged";

    private final Database database;
    private final RoomLocks locks;
    private final RoomRepository rooms;
    private final List<RoomPurgeHook> hooks;
    private final CacheInvalidations invalidations;

    public RoomPurger(Database database, RoomLocks locks, RoomRepository rooms, RoomReader reader, List<RoomPurgeHook> hooks,
                      CacheInvalidations invalidations) {
        this.database = database;
        this.locks = locks;
        this.rooms = rooms;
        this.hooks = hooks;
        this.invalidations = invalidations;
        invalidations.register(CACHE, roomIds -> {
            if (roomIds.isEmpty()) return; // "everything" has no meaning here: purges are always named
            for (String roomId : roomIds) {
                reader.roomPurged(roomId);
                for (RoomPurgeHook hook : hooks) hook.purged(roomId);
            }
        });
    }

    /** Purges the room; false when this server holds nothing of it (no room row). */
    public boolean purge(String roomId) {
        boolean purged = locks.withLock(roomId, () -> database.transaction(tx -> {
            if (rooms.findForWrite(tx, roomId).isEmpty()) return false;
            deleteCoreRows(tx, roomId);
            for (RoomPurgeHook hook : hooks) hook.purge(tx, roomId);
            return true;
        }));
        if (purged) {
            invalidations.invalidate(CACHE, List.of(roomId));
            log.info("purged room {}", roomId);
        }
        return purged;
    }

    private static void deleteCoreRows(DSLContext tx, String roomId) {
        var eventsOfRoom = tx.select(EVENTS.EVENT_ID).from(EVENTS).where(EVENTS.ROOM_ID.eq(roomId));
        tx.deleteFrom(EVENT_EDGES).where(EVENT_EDGES.EVENT_ID.in(eventsOfRoom)).execute();
        tx.deleteFrom(EVENT_TRANSACTIONS).where(EVENT_TRANSACTIONS.EVENT_ID.in(eventsOfRoom)).execute();
        tx.deleteFrom(EVENT_RELATIONS).where(EVENT_RELATIONS.ROOM_ID.eq(roomId)).execute();
        tx.execute("DELETE FROM event_search WHERE room_id = ?", roomId);
        tx.deleteFrom(STATE_GROUP_ENTRIES).where(STATE_GROUP_ENTRIES.GROUP_ID.in(
                tx.select(STATE_GROUPS.GROUP_ID).from(STATE_GROUPS).where(STATE_GROUPS.ROOM_ID.eq(roomId)))).execute();
        tx.deleteFrom(STATE_GROUPS).where(STATE_GROUPS.ROOM_ID.eq(roomId)).execute();
        tx.deleteFrom(CURRENT_STATE).where(CURRENT_STATE.ROOM_ID.eq(roomId)).execute();
        tx.deleteFrom(ROOM_FORWARD_EXTREMITIES).where(ROOM_FORWARD_EXTREMITIES.ROOM_ID.eq(roomId)).execute();
        tx.deleteFrom(REMOTE_INVITE_STATE).where(REMOTE_INVITE_STATE.ROOM_ID.eq(roomId)).execute();
        tx.deleteFrom(ROOM_ALIASES).where(ROOM_ALIASES.ROOM_ID.eq(roomId)).execute();
        tx.deleteFrom(RECEIPTS).where(RECEIPTS.ROOM_ID.eq(roomId)).execute();
        tx.deleteFrom(ACCOUNT_DATA).where(ACCOUNT_DATA.ROOM_ID.eq(roomId)).execute();
        tx.deleteFrom(FORGOTTEN_ROOMS).where(FORGOTTEN_ROOMS.ROOM_ID.eq(roomId)).execute();
        tx.deleteFrom(EVENTS).where(EVENTS.ROOM_ID.eq(roomId)).execute();
        tx.deleteFrom(ROOMS).where(ROOMS.ROOM_ID.eq(roomId)).execute();
    }
}
