package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.UIA_SESSIONS;

import java.util.Optional;
import org.callhs.core.storage.schema.tables.records.UiaSessionsRecord;
import org.jooq.DSLContext;

/** Statements on {@code uia_sessions}. */
public final class UiaSessionRepository {
    public void insert(DSLContext tx, String sessionId, String purpose, String userId, String params, long now) {
        tx.insertInto(UIA_SESSIONS)
                .set(UIA_SESSIONS.SESSION_ID, sessionId)
                .set(UIA_SESSIONS.PURPOSE, purpose)
                .set(UIA_SESSIONS.USER_ID, userId)
                .set(UIA_SESSIONS.COMPLETED, "[]")
                .set(UIA_SESSIONS.PARAMS, params)
                .set(UIA_SESSIONS.CREATED_TS, now)
                .execute();
    }

    public Optional<UiaSessionsRecord> find(DSLContext tx, String sessionId) {
        return tx.selectFrom(UIA_SESSIONS).where(UIA_SESSIONS.SESSION_ID.eq(sessionId)).fetchOptional();
    }

    public void setCompleted(DSLContext tx, String sessionId, String completed) {
        tx.update(UIA_SESSIONS).set(UIA_SESSIONS.COMPLETED, completed).where(UIA_SESSIONS.SESSION_ID.eq(sessionId)).execute();
    }

    public void delete(DSLContext tx, String sessionId) {
        tx.deleteFrom(UIA_SESSIONS).where(UIA_SESSIONS.SESSION_ID.eq(sessionId)).execute();
    }

    public int deleteCreatedBefore(DSLContext tx, long cutoff) {
        return tx.deleteFrom(UIA_SESSIONS).where(UIA_SESSIONS.CREATED_TS.lt(cutoff)).execute();
    }
}
