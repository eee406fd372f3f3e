package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.E2E_ONE_TIME_KEYS;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.callhs.core.storage.schema.tables.records.E2eOneTimeKeysRecord;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** Statements on {@code e2e_one_time_keys}. Every row is an unclaimed key; claiming deletes it. */
public final class OneTimeKeyRepository {
    /** One key to store: algorithm, key ID and canonical JSON. */
    public record NewKey(String algorithm, String keyId, String keyJson) {}

    /** Stored keys of the device among the given key IDs (any algorithm). */
    public List<E2eOneTimeKeysRecord> findByKeyIds(DSLContext tx, String userId, String deviceId, Collection<String> keyIds) {
        return tx.selectFrom(E2E_ONE_TIME_KEYS)
                .where(E2E_ONE_TIME_KEYS.USER_ID.eq(userId), E2E_ONE_TIME_KEYS.DEVICE_ID.eq(deviceId),
                        E2E_ONE_TIME_KEYS.KEY_ID.in(keyIds))
                .fetch();
    }

    /** Inserts the keys in one multi-row statement. */
    public void insertAll(DSLContext tx, String userId, String deviceId, List<NewKey> keys, long now) {
        if (keys.isEmpty()) return;
        var insert = tx.insertInto(E2E_ONE_TIME_KEYS, E2E_ONE_TIME_KEYS.USER_ID, E2E_ONE_TIME_KEYS.DEVICE_ID,
                E2E_ONE_TIME_KEYS.ALGORITHM, E2E_ONE_TIME_KEYS.KEY_ID, E2E_ONE_TIME_KEYS.KEY_JSON, E2E_ONE_TIME_KEYS.ADDED_TS);
        for (NewKey key : keys) insert = insert.values(userId, deviceId, key.algorithm(), key.keyId(), key.keyJson(), now);
        insert.execute();
    }

    /** Unclaimed keys of the device per algorithm (algorithms without keys are absent). */
    public Map<String, Integer> countByAlgorithm(DSLContext tx, String userId, String deviceId) {
        return tx.select(E2E_ONE_TIME_KEYS.ALGORITHM, DSL.count()).from(E2E_ONE_TIME_KEYS)
                .where(E2E_ONE_TIME_KEYS.USER_ID.eq(userId), E2E_ONE_TIME_KEYS.DEVICE_ID.eq(deviceId))
                .groupBy(E2E_ONE_TIME_KEYS.ALGORITHM)
                .fetchMap(E2E_ONE_TIME_KEYS.ALGORITHM, DSL.count());
    }

    /** The device's oldest unclaimed key of the algorithm (ties broken by key ID). */
    public Optional<E2eOneTimeKeysRecord> oldest(DSLContext tx, String userId, String deviceId, String algorithm) {
        return tx.selectFrom(E2E_ONE_TIME_KEYS)
                .where(E2E_ONE_TIME_KEYS.USER_ID.eq(userId), E2E_ONE_TIME_KEYS.DEVICE_ID.eq(deviceId),
                        E2E_ONE_TIME_KEYS.ALGORITHM.eq(algorithm))
                .orderBy(E2E_ONE_TIME_KEYS.ADDED_TS, E2E_ONE_TIME_KEYS.KEY_ID)
                .limit(1)
                .fetchOptional();
    }

    /** Deletes one key; 0 when a concurrent claim took it first. */
    public int delete(DSLContext tx, String userId, String deviceId, String algorithm, String keyId) {
        return tx.deleteFrom(E2E_ONE_TIME_KEYS)
                .where(E2E_ONE_TIME_KEYS.USER_ID.eq(userId), E2E_ONE_TIME_KEYS.DEVICE_ID.eq(deviceId),
                        E2E_ONE_TIME_KEYS.ALGORITHM.eq(algorithm), E2E_ONE_TIME_KEYS.KEY_ID.eq(keyId))
                .execute();
    }

    public int deleteForDevices(DSLContext tx, String userId, Collection<String> deviceIds) {
        return tx.deleteFrom(E2E_ONE_TIME_KEYS)
                .where(E2E_ONE_TIME_KEYS.USER_ID.eq(userId), E2E_ONE_TIME_KEYS.DEVICE_ID.in(deviceIds)).execute();
    }
}
