package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.DEVICES;
import static org.callhs.core.storage.schema.Tables.E2E_DEVICE_KEYS;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;

/** Statements on {@code e2e_device_keys}. */
public final class DeviceKeyRepository {
    /** A device's keys with the device's current display name (null when unset). */
    public record DeviceKeys(String userId, String deviceId, String keyJson, String displayName) {}

    public Optional<String> find(DSLContext tx, String userId, String deviceId) {
        return tx.select(E2E_DEVICE_KEYS.KEY_JSON).from(E2E_DEVICE_KEYS)
                .where(E2E_DEVICE_KEYS.USER_ID.eq(userId), E2E_DEVICE_KEYS.DEVICE_ID.eq(deviceId))
                .fetchOptional(E2E_DEVICE_KEYS.KEY_JSON);
    }

    public void upsert(DSLContext tx, String userId, String deviceId, String keyJson, long now) {
        tx.insertInto(E2E_DEVICE_KEYS)
                .set(E2E_DEVICE_KEYS.USER_ID, userId).set(E2E_DEVICE_KEYS.DEVICE_ID, deviceId)
                .set(E2E_DEVICE_KEYS.KEY_JSON, keyJson).set(E2E_DEVICE_KEYS.UPDATED_TS, now)
                .onConflict(E2E_DEVICE_KEYS.USER_ID, E2E_DEVICE_KEYS.DEVICE_ID).doUpdate()
                .set(E2E_DEVICE_KEYS.KEY_JSON, keyJson).set(E2E_DEVICE_KEYS.UPDATED_TS, now)
                .execute();
    }

    /**
     * Keys of the user's existing devices (keys of a device that no longer exists are never
     * served), all of them when {@code deviceIds} is empty.
     */
    public List<DeviceKeys> forUser(DSLContext tx, String userId, Collection<String> deviceIds) {
        var condition = E2E_DEVICE_KEYS.USER_ID.eq(userId);
        if (!deviceIds.isEmpty()) condition = condition.and(E2E_DEVICE_KEYS.DEVICE_ID.in(deviceIds));
        return tx.select(E2E_DEVICE_KEYS.USER_ID, E2E_DEVICE_KEYS.DEVICE_ID, E2E_DEVICE_KEYS.KEY_JSON, DEVICES.DISPLAY_NAME)
                .from(E2E_DEVICE_KEYS)
                .join(DEVICES).on(DEVICES.USER_ID.eq(E2E_DEVICE_KEYS.USER_ID), DEVICES.DEVICE_ID.eq(E2E_DEVICE_KEYS.DEVICE_ID))
                .where(condition)
                .orderBy(E2E_DEVICE_KEYS.DEVICE_ID)
                .fetch(r -> new DeviceKeys(r.value1(), r.value2(), r.value3(), r.value4()));
    }

    public int deleteForDevices(DSLContext tx, String userId, Collection<String> deviceIds) {
        return tx.deleteFrom(E2E_DEVICE_KEYS)
                .where(E2E_DEVICE_KEYS.USER_ID.eq(userId), E2E_DEVICE_KEYS.DEVICE_ID.in(deviceIds)).execute();
    }
}
