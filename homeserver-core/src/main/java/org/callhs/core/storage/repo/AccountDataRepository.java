package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.ACCOUNT_DATA;

import java.util.Optional;
import org.jooq.DSLContext;

/** Statements on {@code account_data}; {@code room_id} is '' for global account data. */
public final class AccountDataRepository {
    public void upsert(DSLContext tx, String userId, String roomId, String type, String content, long streamId) {
        tx.insertInto(ACCOUNT_DATA)
                .set(ACCOUNT_DATA.USER_ID, userId)
                .set(ACCOUNT_DATA.ROOM_ID, roomId)
                .set(ACCOUNT_DATA.DATA_TYPE, type)
                .set(ACCOUNT_DATA.CONTENT, content)
                .set(ACCOUNT_DATA.STREAM_ID, streamId)
                .onConflict(ACCOUNT_DATA.USER_ID, ACCOUNT_DATA.ROOM_ID, ACCOUNT_DATA.DATA_TYPE)
                .doUpdate()
                .set(ACCOUNT_DATA.CONTENT, content)
                .set(ACCOUNT_DATA.STREAM_ID, streamId)
                .execute();
    }

    public Optional<String> find(DSLContext tx, String userId, String roomId, String type) {
        return tx.select(ACCOUNT_DATA.CONTENT).from(ACCOUNT_DATA)
                .where(ACCOUNT_DATA.USER_ID.eq(userId), ACCOUNT_DATA.ROOM_ID.eq(roomId), ACCOUNT_DATA.DATA_TYPE.eq(type))
                .fetchOptional(ACCOUNT_DATA.CONTENT);
    }

    /** A user's account data (global and per room) written with {@code after < stream_id <= upTo}. */
    public java.util.List<org.callhs.core.storage.schema.tables.records.AccountDataRecord> changed(DSLContext dsl, String userId,
                                                                                                 long after, long upTo) {
        return dsl.selectFrom(ACCOUNT_DATA)
                .where(ACCOUNT_DATA.USER_ID.eq(userId), ACCOUNT_DATA.STREAM_ID.gt(after), ACCOUNT_DATA.STREAM_ID.le(upTo))
                .orderBy(ACCOUNT_DATA.STREAM_ID).fetch();
    }
}
