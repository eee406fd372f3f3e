package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.E2E_FALLBACK_KEYS;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.callhs.core.storage.schema.tables.records.E2eFallbackKeysRecord;
import org.jooq.DSLContext;

/** Statements on {@code e2e_fallback_keys}: at most one key per device and algorithm. */
public final class FallbackKeyRepository {
    public Optional<E2eFallbackKeysRecord> find(DSLContext tx, String userId, String deviceId, String algorithm) {
        return tx.selectFrom(E2E_FALLBACK_KEYS)
                .where(E2E_FALLBACK_KEYS.USER_ID.eq(userId), E2E_FALLBACK_KEYS.DEVICE_ID.eq(deviceId),
                        E2E_FALLBACK_KEYS.ALGORITHM.eq(algorithm))
                .fetchOptional();
    }

    /** Stores the device's key for the algorithm, replacing the previous one, as unused. */
    public void replace(DSLContext tx, String userId, String deviceId, String algorithm, String keyId, String keyJson) {
        tx.insertInto(E2E_FALLBACK_KEYS)
                .set(E2E_FALLBACK_KEYS.USER_ID, userId).set(E2E_FALLBACK_KEYS.DEVICE_ID, deviceId)
                .set(E2E_FALLBACK_KEYS.ALGORITHM, algorithm).set(E2E_FALLBACK_KEYS.KEY_ID, keyId)
                .set(E2E_FALLBACK_KEYS.KEY_JSON, keyJson).set(E2E_FALLBACK_KEYS.USED, false)
                .onConflict(E2E_FALLBACK_KEYS.USER_ID, E2E_FALLBACK_KEYS.DEVICE_ID, E2E_FALLBACK_KEYS.ALGORITHM).doUpdate()
                .set(E2E_FALLBACK_KEYS.KEY_ID, keyId).set(E2E_FALLBACK_KEYS.KEY_JSON, keyJson).set(E2E_FALLBACK_KEYS.USED, false)
                .execute();
    }

    public void markUsed(DSLContext tx, String userId, String deviceId, String algorithm) {
        tx.update(E2E_FALLBACK_KEYS).set(E2E_FALLBACK_KEYS.USED, true)
                .where(E2E_FALLBACK_KEYS.USER_ID.eq(userId), E2E_FALLBACK_KEYS.DEVICE_ID.eq(deviceId),
                        E2E_FALLBACK_KEYS.ALGORITHM.eq(algorithm))
                .execute();
    }

    /** Algorithms of the device's fallback keys that no claim has handed out yet. */
    public List<String> unusedAlgorithms(DSLContext tx, String userId, String deviceId) {
        return tx.select(E2E_FALLBACK_KEYS.ALGORITHM).from(E2E_FALLBACK_KEYS)
                .where(E2E_FALLBACK_KEYS.USER_ID.eq(userId), E2E_FALLBACK_KEYS.DEVICE_ID.eq(deviceId),
                        E2E_FALLBACK_KEYS.USED.isFalse())
                .orderBy(E2E_FALLBACK_KEYS.ALGORITHM)
                .fetch(E2E_FALLBACK_KEYS.ALGORITHM);
    }

    public int deleteForDevices(DSLContext tx, String userId, Collection<String> deviceIds) {
        return tx.deleteFrom(E2E_FALLBACK_KEYS)
                .where(E2E_FALLBACK_KEYS.USER_ID.eq(userId), E2E_FALLBACK_KEYS.DEVICE_ID.in(deviceIds)).execute();
    }
}
