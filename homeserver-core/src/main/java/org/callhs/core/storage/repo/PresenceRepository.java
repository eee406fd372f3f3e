package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.PRESENCE;

import java.util.Optional;
import org.callhs.core.storage.schema.tables.records.PresenceRecord;
import org.jooq.DSLContext;

/** Statements on {@code presence}. */
public final class PresenceRepository {
    public void upsert(DSLContext tx, String userId, String state, String statusMsg, long lastActiveTs, long now, long streamId) {
        tx.insertInto(PRESENCE)
                .set(PRESENCE.STREAM_ID, streamId)
                .set(PRESENCE.USER_ID, userId)
                .set(PRESENCE.STATE, state)
                .set(PRESENCE.STATUS_MSG, statusMsg)
                .set(PRESENCE.LAST_ACTIVE_TS, lastActiveTs)
                .set(PRESENCE.UPDATED_TS, now)
                .onConflict(PRESENCE.USER_ID).doUpdate()
                .set(PRESENCE.STATE, state)
                .set(PRESENCE.STATUS_MSG, statusMsg)
                .set(PRESENCE.LAST_ACTIVE_TS, lastActiveTs)
                .set(PRESENCE.UPDATED_TS, now)
                .set(PRESENCE.STREAM_ID, streamId)
                .execute();
    }

    /** Moves the activity times on, only while the state is still {@code state}; returns the rows changed (0 or 1). */
    public int refreshActive(DSLContext tx, String userId, String state, long now) {
        return tx.update(PRESENCE).set(PRESENCE.LAST_ACTIVE_TS, now).set(PRESENCE.UPDATED_TS, now)
                .where(PRESENCE.USER_ID.eq(userId), PRESENCE.STATE.eq(state)).execute();
    }

    /** Presence rows of these users changed with {@code after < stream_id <= upTo}. */
    public java.util.List<PresenceRecord> changed(DSLContext dsl, java.util.Collection<String> userIds, long after, long upTo) {
        return dsl.selectFrom(PRESENCE)
                .where(PRESENCE.USER_ID.in(userIds), PRESENCE.STREAM_ID.gt(after), PRESENCE.STREAM_ID.le(upTo)).fetch();
    }

    public Optional<PresenceRecord> find(DSLContext tx, String userId) {
        return tx.selectFrom(PRESENCE).where(PRESENCE.USER_ID.eq(userId)).fetchOptional();
    }
}
