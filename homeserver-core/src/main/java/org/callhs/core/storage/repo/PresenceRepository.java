package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.PRESENCE;

import java.util.Optional;
import org.callhs.core.storage.schema.tables.records.PresenceRecord;
import org.jooq.DSLContext;

/** Statements on {@code presence}. */
public final class PresenceRepository {
    public void upsert(DSLContext tx, String userId, String state, String statusMsg, long lastActiveTs, long now) {
        tx.insertInto(PRESENCE)
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
                .execute();
    }

    public Optional<PresenceRecord> find(DSLContext tx, String userId) {
        return tx.selectFrom(PRESENCE).where(PRESENCE.USER_ID.eq(userId)).fetchOptional();
    }
}
