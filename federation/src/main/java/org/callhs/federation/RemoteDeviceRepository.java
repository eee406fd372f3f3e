package org.callhs.federation;

import static org.callhs.federation.schema.Tables.FEDERATION_REMOTE_CROSS_SIGNING;
import static org.callhs.federation.schema.Tables.FEDERATION_REMOTE_DEVICES;
import static org.callhs.federation.schema.Tables.FEDERATION_REMOTE_DEVICE_LISTS;

import java.util.List;
import java.util.Optional;
import org.callhs.federation.schema.tables.records.FederationRemoteCrossSigningRecord;
import org.callhs.federation.schema.tables.records.FederationRemoteDeviceListsRecord;
import org.callhs.federation.schema.tables.records.FederationRemoteDevicesRecord;
import org.jooq.DSLContext;

/** Statements on the remote device-list cache tables. */
final class RemoteDeviceRepository {
    Optional<FederationRemoteDeviceListsRecord> list(DSLContext dsl, String userId) {
        return dsl.selectFrom(FEDERATION_REMOTE_DEVICE_LISTS).where(FEDERATION_REMOTE_DEVICE_LISTS.USER_ID.eq(userId)).fetchOptional();
    }

    void putList(DSLContext tx, String userId, long streamId, boolean stale, long now) {
        tx.insertInto(FEDERATION_REMOTE_DEVICE_LISTS)
                .set(FEDERATION_REMOTE_DEVICE_LISTS.USER_ID, userId)
                .set(FEDERATION_REMOTE_DEVICE_LISTS.STREAM_ID, streamId)
                .set(FEDERATION_REMOTE_DEVICE_LISTS.STALE, stale)
                .set(FEDERATION_REMOTE_DEVICE_LISTS.UPDATED_TS, now)
                .onConflict(FEDERATION_REMOTE_DEVICE_LISTS.USER_ID).doUpdate()
                .set(FEDERATION_REMOTE_DEVICE_LISTS.STREAM_ID, streamId)
                .set(FEDERATION_REMOTE_DEVICE_LISTS.STALE, stale)
                .set(FEDERATION_REMOTE_DEVICE_LISTS.UPDATED_TS, now)
                .execute();
    }

    void markStale(DSLContext tx, String userId) {
        tx.update(FEDERATION_REMOTE_DEVICE_LISTS).set(FEDERATION_REMOTE_DEVICE_LISTS.STALE, true)
                .where(FEDERATION_REMOTE_DEVICE_LISTS.USER_ID.eq(userId)).execute();
    }

    List<FederationRemoteDevicesRecord> devices(DSLContext dsl, String userId) {
        return dsl.selectFrom(FEDERATION_REMOTE_DEVICES).where(FEDERATION_REMOTE_DEVICES.USER_ID.eq(userId)).fetch();
    }

    void putDevice(DSLContext tx, String userId, String deviceId, String keys, String displayName) {
        tx.insertInto(FEDERATION_REMOTE_DEVICES)
                .set(FEDERATION_REMOTE_DEVICES.USER_ID, userId)
                .set(FEDERATION_REMOTE_DEVICES.DEVICE_ID, deviceId)
                .set(FEDERATION_REMOTE_DEVICES.DEVICE_KEYS, keys)
                .set(FEDERATION_REMOTE_DEVICES.DISPLAY_NAME, displayName)
                .onConflict(FEDERATION_REMOTE_DEVICES.USER_ID, FEDERATION_REMOTE_DEVICES.DEVICE_ID).doUpdate()
                .set(FEDERATION_REMOTE_DEVICES.DEVICE_KEYS, keys)
                .set(FEDERATION_REMOTE_DEVICES.DISPLAY_NAME, displayName)
                .execute();
    }

    void deleteDevice(DSLContext tx, String userId, String deviceId) {
        tx.deleteFrom(FEDERATION_REMOTE_DEVICES)
                .where(FEDERATION_REMOTE_DEVICES.USER_ID.eq(userId).and(FEDERATION_REMOTE_DEVICES.DEVICE_ID.eq(deviceId))).execute();
    }

    void deleteDevices(DSLContext tx, String userId) {
        tx.deleteFrom(FEDERATION_REMOTE_DEVICES).where(FEDERATION_REMOTE_DEVICES.USER_ID.eq(userId)).execute();
    }

    List<FederationRemoteCrossSigningRecord> crossSigning(DSLContext dsl, String userId) {
        return dsl.selectFrom(FEDERATION_REMOTE_CROSS_SIGNING).where(FEDERATION_REMOTE_CROSS_SIGNING.USER_ID.eq(userId)).fetch();
    }

    void putCrossSigning(DSLContext tx, String userId, String keyType, String json) {
        tx.insertInto(FEDERATION_REMOTE_CROSS_SIGNING)
                .set(FEDERATION_REMOTE_CROSS_SIGNING.USER_ID, userId)
                .set(FEDERATION_REMOTE_CROSS_SIGNING.KEY_TYPE, keyType)
                .set(FEDERATION_REMOTE_CROSS_SIGNING.KEY_JSON, json)
                .onConflict(FEDERATION_REMOTE_CROSS_SIGNING.USER_ID, FEDERATION_REMOTE_CROSS_SIGNING.KEY_TYPE).doUpdate()
                .set(FEDERATION_REMOTE_CROSS_SIGNING.KEY_JSON, json)
                .execute();
    }
}
