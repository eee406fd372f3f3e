package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.ROOM_KEY_BACKUP_SESSIONS;

import java.util.List;
import java.util.Optional;
import org.callhs.core.storage.schema.tables.records.RoomKeyBackupSessionsRecord;
import org.jooq.Condition;
import org.jooq.DSLContext;

/** Statements on {@code room_key_backup_sessions}: the keys stored in a backup version. */
public final class RoomKeyBackupSessionRepository {
    public Optional<RoomKeyBackupSessionsRecord> find(DSLContext tx, String userId, long version, String roomId, String sessionId) {
        return tx.selectFrom(ROOM_KEY_BACKUP_SESSIONS).where(scope(userId, version, roomId, sessionId)).fetchOptional();
    }

    public void upsert(DSLContext tx, RoomKeyBackupSessionsRecord row) {
        var t = ROOM_KEY_BACKUP_SESSIONS;
        tx.insertInto(t).set(row)
                .onConflict(t.USER_ID, t.VERSION, t.ROOM_ID, t.SESSION_ID).doUpdate()
                .set(t.FIRST_MESSAGE_INDEX, row.getFirstMessageIndex()).set(t.FORWARDED_COUNT, row.getForwardedCount())
                .set(t.IS_VERIFIED, row.getIsVerified()).set(t.SESSION_DATA, row.getSessionData())
                .execute();
    }

    /** Keys of a version, narrowed to a room and a session when those are not null. */
    public List<RoomKeyBackupSessionsRecord> list(DSLContext tx, String userId, long version, String roomId, String sessionId) {
        var t = ROOM_KEY_BACKUP_SESSIONS;
        return tx.selectFrom(t).where(scope(userId, version, roomId, sessionId)).orderBy(t.ROOM_ID, t.SESSION_ID).fetch();
    }

    public int count(DSLContext tx, String userId, long version) {
        return tx.fetchCount(ROOM_KEY_BACKUP_SESSIONS, scope(userId, version, null, null));
    }

    /** Deletes keys of a version, narrowed to a room and a session when those are not null. */
    public int delete(DSLContext tx, String userId, long version, String roomId, String sessionId) {
        return tx.deleteFrom(ROOM_KEY_BACKUP_SESSIONS).where(scope(userId, version, roomId, sessionId)).execute();
    }

    private static Condition scope(String userId, long version, String roomId, String sessionId) {
        var t = ROOM_KEY_BACKUP_SESSIONS;
        Condition c = t.USER_ID.eq(userId).and(t.VERSION.eq(version));
        if (roomId != null) c = c.and(t.ROOM_ID.eq(roomId));
        if (sessionId != null) c = c.and(t.SESSION_ID.eq(sessionId));
        return c;
    }
}
