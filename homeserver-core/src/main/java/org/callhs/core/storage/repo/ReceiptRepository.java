package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.RECEIPTS;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.callhs.core.storage.schema.tables.records.ReceiptsRecord;
import org.jooq.DSLContext;

/** Statements on {@code receipts}: one row per (room, type, user, thread), moved forward in place. */
public final class ReceiptRepository {
    public Optional<ReceiptsRecord> find(DSLContext tx, String roomId, String type, String userId, String threadId) {
        return tx.selectFrom(RECEIPTS)
                .where(RECEIPTS.ROOM_ID.eq(roomId), RECEIPTS.RECEIPT_TYPE.eq(type), RECEIPTS.USER_ID.eq(userId),
                        RECEIPTS.THREAD_ID.eq(threadId))
                .fetchOptional();
    }

    public void upsert(DSLContext tx, String roomId, String type, String userId, String threadId, String eventId, long ts,
                       long streamId) {
        tx.insertInto(RECEIPTS)
                .set(RECEIPTS.ROOM_ID, roomId).set(RECEIPTS.RECEIPT_TYPE, type).set(RECEIPTS.USER_ID, userId)
                .set(RECEIPTS.THREAD_ID, threadId).set(RECEIPTS.EVENT_ID, eventId).set(RECEIPTS.RECEIPT_TS, ts)
                .set(RECEIPTS.STREAM_ID, streamId)
                .onConflict(RECEIPTS.ROOM_ID, RECEIPTS.RECEIPT_TYPE, RECEIPTS.USER_ID, RECEIPTS.THREAD_ID).doUpdate()
                .set(RECEIPTS.EVENT_ID, eventId).set(RECEIPTS.RECEIPT_TS, ts).set(RECEIPTS.STREAM_ID, streamId)
                .execute();
    }

    /** Receipts in these rooms with {@code after < stream_id <= upTo}. */
    public List<ReceiptsRecord> changed(DSLContext dsl, Collection<String> roomIds, long after, long upTo) {
        return dsl.selectFrom(RECEIPTS)
                .where(RECEIPTS.ROOM_ID.in(roomIds), RECEIPTS.STREAM_ID.gt(after), RECEIPTS.STREAM_ID.le(upTo))
                .orderBy(RECEIPTS.STREAM_ID).fetch();
    }

    /** A user's receipts in a room (for unread counts). */
    public List<ReceiptsRecord> ofUser(DSLContext dsl, String roomId, String userId) {
        return dsl.selectFrom(RECEIPTS).where(RECEIPTS.ROOM_ID.eq(roomId), RECEIPTS.USER_ID.eq(userId)).fetch();
    }
}
