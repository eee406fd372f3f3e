package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.ROOM_KEY_BACKUP_VERSIONS;

import java.util.Optional;
import org.callhs.core.storage.schema.tables.records.RoomKeyBackupVersionsRecord;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** Statements on {@code room_key_backup_versions}. */
public final class RoomKeyBackupVersionRepository {
    /** Highest version ever created for the user, deleted ones included; 0 when none. */
    public long maxVersion(DSLContext tx, String userId) {
        Long max = tx.select(DSL.max(ROOM_KEY_BACKUP_VERSIONS.VERSION)).from(ROOM_KEY_BACKUP_VERSIONS)
                .where(ROOM_KEY_BACKUP_VERSIONS.USER_ID.eq(userId)).fetchOne(0, Long.class);
        return max == null ? 0 : max;
    }

    /** The current backup: the newest version that is not deleted. */
    public Optional<RoomKeyBackupVersionsRecord> current(DSLContext tx, String userId) {
        return tx.selectFrom(ROOM_KEY_BACKUP_VERSIONS)
                .where(ROOM_KEY_BACKUP_VERSIONS.USER_ID.eq(userId), ROOM_KEY_BACKUP_VERSIONS.DELETED.isFalse())
                .orderBy(ROOM_KEY_BACKUP_VERSIONS.VERSION.desc()).limit(1).fetchOptional();
    }

    /** A version, deleted or not. */
    public Optional<RoomKeyBackupVersionsRecord> find(DSLContext tx, String userId, long version) {
        return tx.selectFrom(ROOM_KEY_BACKUP_VERSIONS)
                .where(ROOM_KEY_BACKUP_VERSIONS.USER_ID.eq(userId), ROOM_KEY_BACKUP_VERSIONS.VERSION.eq(version))
                .fetchOptional();
    }

    public void insert(DSLContext tx, String userId, long version, String algorithm, String authData) {
        tx.insertInto(ROOM_KEY_BACKUP_VERSIONS)
                .set(ROOM_KEY_BACKUP_VERSIONS.USER_ID, userId).set(ROOM_KEY_BACKUP_VERSIONS.VERSION, version)
                .set(ROOM_KEY_BACKUP_VERSIONS.ALGORITHM, algorithm).set(ROOM_KEY_BACKUP_VERSIONS.AUTH_DATA, authData)
                .set(ROOM_KEY_BACKUP_VERSIONS.ETAG, 0L).set(ROOM_KEY_BACKUP_VERSIONS.DELETED, false)
                .execute();
    }

    public void setAuthData(DSLContext tx, String userId, long version, String authData) {
        tx.update(ROOM_KEY_BACKUP_VERSIONS).set(ROOM_KEY_BACKUP_VERSIONS.AUTH_DATA, authData)
                .where(ROOM_KEY_BACKUP_VERSIONS.USER_ID.eq(userId), ROOM_KEY_BACKUP_VERSIONS.VERSION.eq(version))
                .execute();
    }

    public void setEtag(DSLContext tx, String userId, long version, long etag) {
        tx.update(ROOM_KEY_BACKUP_VERSIONS).set(ROOM_KEY_BACKUP_VERSIONS.ETAG, etag)
                .where(ROOM_KEY_BACKUP_VERSIONS.USER_ID.eq(userId), ROOM_KEY_BACKUP_VERSIONS.VERSION.eq(version))
                .execute();
    }

    public void markDeleted(DSLContext tx, String userId, long version) {
        tx.update(ROOM_KEY_BACKUP_VERSIONS).set(ROOM_KEY_BACKUP_VERSIONS.DELETED, true)
                .where(ROOM_KEY_BACKUP_VERSIONS.USER_ID.eq(userId), ROOM_KEY_BACKUP_VERSIONS.VERSION.eq(version))
                .execute();
    }
}
