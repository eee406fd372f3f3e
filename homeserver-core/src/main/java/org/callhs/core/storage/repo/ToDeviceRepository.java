package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.TO_DEVICE_MESSAGES;
import static org.callhs.core.storage.schema.Tables.REMOTE_TO_DEVICE_RECEIVED;
import static org.callhs.core.storage.schema.Tables.TO_DEVICE_TRANSACTIONS;

import java.util.List;
import org.callhs.core.storage.schema.tables.records.ToDeviceMessagesRecord;
import org.jooq.DSLContext;

/** Statements on {@code to_device_messages} and {@code to_device_transactions}. */
public final class ToDeviceRepository {
    /** Records a transaction; false when the same device already used this transaction ID. */
    public boolean claimTransaction(DSLContext tx, String userId, String deviceId, String txnId) {
        return tx.insertInto(TO_DEVICE_TRANSACTIONS)
                .set(TO_DEVICE_TRANSACTIONS.USER_ID, userId)
                .set(TO_DEVICE_TRANSACTIONS.DEVICE_ID, deviceId)
                .set(TO_DEVICE_TRANSACTIONS.TXN_ID, txnId)
                .onConflictDoNothing().execute() == 1;
    }

    /** Records a remote (sender, message_id); false when it was recorded before (a retried delivery). */
    public boolean claimRemoteMessage(DSLContext tx, String sender, String messageId, long now) {
        return tx.insertInto(REMOTE_TO_DEVICE_RECEIVED)
                .set(REMOTE_TO_DEVICE_RECEIVED.SENDER, sender)
                .set(REMOTE_TO_DEVICE_RECEIVED.MESSAGE_ID, messageId)
                .set(REMOTE_TO_DEVICE_RECEIVED.RECEIVED_TS, now)
                .onConflictDoNothing().execute() == 1;
    }

    public int deleteRemoteMessagesBefore(DSLContext tx, long cutoff) {
        return tx.deleteFrom(REMOTE_TO_DEVICE_RECEIVED).where(REMOTE_TO_DEVICE_RECEIVED.RECEIVED_TS.lt(cutoff)).execute();
    }

    public void insert(DSLContext tx, long streamId, String userId, String deviceId, String sender, String type, String content) {
        tx.insertInto(TO_DEVICE_MESSAGES)
                .set(TO_DEVICE_MESSAGES.STREAM_ID, streamId)
                .set(TO_DEVICE_MESSAGES.USER_ID, userId)
                .set(TO_DEVICE_MESSAGES.DEVICE_ID, deviceId)
                .set(TO_DEVICE_MESSAGES.SENDER, sender)
                .set(TO_DEVICE_MESSAGES.EVENT_TYPE, type)
                .set(TO_DEVICE_MESSAGES.CONTENT, content)
                .execute();
    }

    /** Messages for one device with {@code after < stream_id <= upTo}, oldest first. */
    public List<ToDeviceMessagesRecord> pending(DSLContext dsl, String userId, String deviceId, long after, long upTo, int limit) {
        return dsl.selectFrom(TO_DEVICE_MESSAGES)
                .where(TO_DEVICE_MESSAGES.USER_ID.eq(userId), TO_DEVICE_MESSAGES.DEVICE_ID.eq(deviceId),
                        TO_DEVICE_MESSAGES.STREAM_ID.gt(after), TO_DEVICE_MESSAGES.STREAM_ID.le(upTo))
                .orderBy(TO_DEVICE_MESSAGES.STREAM_ID).limit(limit).fetch();
    }

    /** Drops the messages a device acknowledged by syncing with a later token. */
    public int deleteUpTo(DSLContext tx, String userId, String deviceId, long upTo) {
        return tx.deleteFrom(TO_DEVICE_MESSAGES)
                .where(TO_DEVICE_MESSAGES.USER_ID.eq(userId), TO_DEVICE_MESSAGES.DEVICE_ID.eq(deviceId),
                        TO_DEVICE_MESSAGES.STREAM_ID.le(upTo)).execute();
    }

    /** Drops everything queued for deleted devices. */
    public void deleteForDevice(DSLContext tx, String userId, String deviceId) {
        tx.deleteFrom(TO_DEVICE_MESSAGES)
                .where(TO_DEVICE_MESSAGES.USER_ID.eq(userId), TO_DEVICE_MESSAGES.DEVICE_ID.eq(deviceId)).execute();
    }
}
