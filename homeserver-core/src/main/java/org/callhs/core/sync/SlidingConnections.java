package org.callhs.core.sync;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.room.auth.StateKey;

/**
 * Sliding sync connections (MSC4186 "connection state"), in memory: per (user, device,
 * {@code conn_id}) what each {@code pos} handed out told the client about each room. A request
 * without {@code pos} starts the connection afresh; a request with one answers from that
 * snapshot, and afterwards only that snapshot and the new one are kept, so a retry of the same
 * {@code pos} works and an older one is 400 {@code M_UNKNOWN_POS}, as is any position after a
 * restart or {@value #IDLE_DAYS} idle days (clients then start over without {@code pos}).
 *
 * <p>A {@code pos} carries this process's random epoch ({@code <epoch>_<n>}): one handed out
 * before a restart, or by another instance of a cluster (connections are per instance), is
 * refused with {@code M_UNKNOWN_POS} instead of naming an unrelated snapshot that happens to
 * have the same number.
 */
final class SlidingConnections {
    static final int IDLE_DAYS = 7;

    record Key(String userId, String deviceId, String connId) {}

    /**
     * What the client was told about a room: its events up to {@code bound} (the stream position
     * the room was last brought up to date at), the timeline limit it asked for, and the state
     * entries, name, avatar and member counts it holds.
     */
    record RoomMark(long bound, int timelineLimit, RequiredState requiredState, Map<StateKey, String> sentState, String nameId,
                    String avatarId, int joinedCount, int invitedCount) {}

    /** One position of a connection: the stream positions it was built at and the rooms' marks. */
    record Snapshot(SyncToken token, Map<String, RoomMark> rooms) {}

    private static final class Connection {
        long next = 1;
        final Map<Long, Snapshot> positions = new LinkedHashMap<>();
    }

    /** This process's epoch, the first part of every {@code pos} it hands out. */
    private final String epoch = Long.toString(new java.security.SecureRandom().nextLong() >>> 1, 36);

    private final Cache<Key, Connection> connections = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofDays(IDLE_DAYS)).maximumSize(100_000).build();

    /** The snapshot {@code pos} names, or 400 {@code M_UNKNOWN_POS}. */
    Snapshot resolve(Key key, String pos) {
        long position = parse(pos);
        Connection connection = connections.getIfPresent(key);
        if (connection != null) {
            synchronized (connection) {
                Snapshot snapshot = connection.positions.get(position);
                if (snapshot != null) return snapshot;
            }
        }
        throw new MatrixException(ErrCode.UNKNOWN_POS, 400, "Unknown position: start again without pos");
    }

    /**
     * Keeps {@code snapshot} as the connection's next position and returns it as a {@code pos}.
     * {@code used} is the position the request came with (null: the connection starts afresh).
     */
    String store(Key key, String used, Snapshot snapshot) {
        if (used == null) connections.invalidate(key);
        Connection connection = connections.get(key, k -> new Connection());
        synchronized (connection) {
            long position = connection.next++;
            Long usedPosition = used == null ? null : parse(used);
            connection.positions.keySet().removeIf(p -> !p.equals(usedPosition));
            connection.positions.put(position, snapshot);
            return epoch + "_" + position;
        }
    }

    private long parse(String pos) {
        int separator = pos.indexOf('_');
        if (separator < 0 || !pos.substring(0, separator).equals(epoch)) {
            throw new MatrixException(ErrCode.UNKNOWN_POS, 400, "Unknown position: start again without pos");
        }
        try {
            long position = Long.parseLong(pos.substring(separator + 1));
            if (position <= 0) throw new NumberFormatException();
            return position;
        } catch (NumberFormatException e) {
            throw new MatrixException(ErrCode.UNKNOWN_POS, 400, "Invalid position: start again without pos");
        }
    }
}
