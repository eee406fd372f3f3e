package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.DEVICES;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.callhs.core.storage.schema.tables.records.DevicesRecord;
import org.jooq.DSLContext;

/** Statements on {@code devices}. */
public final class DeviceRepository {
    /** Creates the device unless it exists (an existing device keeps its display name); 1 when created. */
    public int insertIfAbsent(DSLContext tx, String userId, String deviceId, String displayName, long now) {
        return tx.insertInto(DEVICES)
                .set(DEVICES.USER_ID, userId)
                .set(DEVICES.DEVICE_ID, deviceId)
                .set(DEVICES.DISPLAY_NAME, displayName)
                .set(DEVICES.CREATED_TS, now)
                .onConflict(DEVICES.USER_ID, DEVICES.DEVICE_ID).doNothing()
                .execute();
    }

    public List<DevicesRecord> list(DSLContext tx, String userId) {
        return tx.selectFrom(DEVICES).where(DEVICES.USER_ID.eq(userId)).orderBy(DEVICES.DEVICE_ID).fetch();
    }

    public Optional<DevicesRecord> find(DSLContext tx, String userId, String deviceId) {
        return tx.selectFrom(DEVICES).where(DEVICES.USER_ID.eq(userId), DEVICES.DEVICE_ID.eq(deviceId)).fetchOptional();
    }

    public int setDisplayName(DSLContext tx, String userId, String deviceId, String displayName) {
        return tx.update(DEVICES).set(DEVICES.DISPLAY_NAME, displayName)
                .where(DEVICES.USER_ID.eq(userId), DEVICES.DEVICE_ID.eq(deviceId)).execute();
    }

    public int delete(DSLContext tx, String userId, Collection<String> deviceIds) {
        return tx.deleteFrom(DEVICES).where(DEVICES.USER_ID.eq(userId), DEVICES.DEVICE_ID.in(deviceIds)).execute();
    }

    /** Deletes every device of the user except {@code keep} (which may be null). */
    public int deleteAllExcept(DSLContext tx, String userId, String keep) {
        var condition = DEVICES.USER_ID.eq(userId);
        if (keep != null) condition = condition.and(DEVICES.DEVICE_ID.ne(keep));
        return tx.deleteFrom(DEVICES).where(condition).execute();
    }
}
