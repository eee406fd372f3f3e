package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.E2E_CROSS_SIGNING_KEYS;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.callhs.core.storage.schema.tables.records.E2eCrossSigningKeysRecord;
import org.jooq.DSLContext;

/** Statements on {@code e2e_cross_signing_keys}: one master, self-signing and user-signing key per user. */
public final class CrossSigningKeyRepository {
    public Optional<E2eCrossSigningKeysRecord> find(DSLContext tx, String userId, String keyType) {
        return tx.selectFrom(E2E_CROSS_SIGNING_KEYS)
                .where(E2E_CROSS_SIGNING_KEYS.USER_ID.eq(userId), E2E_CROSS_SIGNING_KEYS.KEY_TYPE.eq(keyType))
                .fetchOptional();
    }

    public List<E2eCrossSigningKeysRecord> forUsers(DSLContext tx, Collection<String> userIds) {
        return tx.selectFrom(E2E_CROSS_SIGNING_KEYS).where(E2E_CROSS_SIGNING_KEYS.USER_ID.in(userIds)).fetch();
    }

    public void upsert(DSLContext tx, String userId, String keyType, String publicKey, String keyJson, long now) {
        tx.insertInto(E2E_CROSS_SIGNING_KEYS)
                .set(E2E_CROSS_SIGNING_KEYS.USER_ID, userId).set(E2E_CROSS_SIGNING_KEYS.KEY_TYPE, keyType)
                .set(E2E_CROSS_SIGNING_KEYS.PUBLIC_KEY, publicKey).set(E2E_CROSS_SIGNING_KEYS.KEY_JSON, keyJson)
                .set(E2E_CROSS_SIGNING_KEYS.UPDATED_TS, now)
                .onConflict(E2E_CROSS_SIGNING_KEYS.USER_ID, E2E_CROSS_SIGNING_KEYS.KEY_TYPE).doUpdate()
                .set(E2E_CROSS_SIGNING_KEYS.PUBLIC_KEY, publicKey).set(E2E_CROSS_SIGNING_KEYS.KEY_JSON, keyJson)
                .set(E2E_CROSS_SIGNING_KEYS.UPDATED_TS, now)
                .execute();
    }
}
