package org.callhs.core.room;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.callhs.core.cluster.CacheInvalidations;
import org.callhs.core.error.MatrixException;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.BlockedRoomRepository;

/**
 * Rooms an admin blocked: no local user may join, knock on or be invited to them, and invites
 * from other servers are refused (403 {@code M_FORBIDDEN} "This room has been blocked on this
 * server", as Synapse answers). Leaving and banning stay possible. A room can be blocked before
 * this server knows it. The set is small and read on every join, so it is held in memory and
 * reloaded from the database on every instance when an admin changes it.
 */
public final class BlockedRooms {
    private static final String CACHE = "rooms.blocked";

    private final Database database;
    private final BlockedRoomRepository repository;
    private final CacheInvalidations invalidations;
    private volatile Map<String, String> blockedBy;

    public BlockedRooms(Database database, BlockedRoomRepository repository, CacheInvalidations invalidations) {
        this.database = database;
        this.repository = repository;
        this.invalidations = invalidations;
        this.blockedBy = Map.copyOf(repository.all(database.dsl()));
        invalidations.register(CACHE, keys -> reload());
    }

    private void reload() {
        blockedBy = Map.copyOf(repository.all(database.dsl()));
    }

    /** Blocks the room (again: the first admin stays recorded). */
    public void block(String roomId, String adminId) {
        database.transaction(tx -> {
            repository.block(tx, roomId, adminId);
            return null;
        });
        invalidations.invalidate(CACHE, List.of(roomId));
    }

    public void unblock(String roomId) {
        database.transaction(tx -> {
            repository.unblock(tx, roomId);
            return null;
        });
        invalidations.invalidate(CACHE, List.of(roomId));
    }

    /** The admin who blocked the room, if it is blocked. */
    public Optional<String> blockedBy(String roomId) {
        return Optional.ofNullable(blockedBy.get(roomId));
    }

    /** 403 {@code M_FORBIDDEN} when the room is blocked. */
    public void requireNotBlocked(String roomId) {
        if (blockedBy.containsKey(roomId)) throw MatrixException.forbidden("This room has been blocked on this server");
    }

    /** The check for a membership change: joins, knocks and invites of a blocked room are refused. */
    public void requireMembershipAllowed(String roomId, String membership) {
        if (!membership.equals("leave") && !membership.equals("ban")) requireNotBlocked(roomId);
    }
}
