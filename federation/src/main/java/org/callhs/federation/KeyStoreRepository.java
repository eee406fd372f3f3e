package org.callhs.federation;

import static org.callhs.federation.schema.Tables.FEDERATION_KEY_RESPONSES;
import static org.callhs.federation.schema.Tables.FEDERATION_SERVER_KEYS;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import org.callhs.core.crypto.UnpaddedBase64;
import org.callhs.core.util.Json;
import org.jooq.DSLContext;

/** Statements on {@code federation_server_keys} and {@code federation_key_responses}. */
public final class KeyStoreRepository {
    Optional<KeyRing.Key> find(DSLContext dsl, String server, String keyId) {
        return dsl.select(FEDERATION_SERVER_KEYS.VERIFY_KEY, FEDERATION_SERVER_KEYS.VALID_UNTIL_TS)
                .from(FEDERATION_SERVER_KEYS)
                .where(FEDERATION_SERVER_KEYS.SERVER_NAME.eq(server).and(FEDERATION_SERVER_KEYS.KEY_ID.eq(keyId)))
                .fetchOptional(r -> new KeyRing.Key(UnpaddedBase64.decode(r.value1()), r.value2()));
    }

    void put(DSLContext tx, String server, String keyId, String verifyKey, long validUntil, Long expiredTs, long now) {
        tx.insertInto(FEDERATION_SERVER_KEYS)
                .set(FEDERATION_SERVER_KEYS.SERVER_NAME, server)
                .set(FEDERATION_SERVER_KEYS.KEY_ID, keyId)
                .set(FEDERATION_SERVER_KEYS.VERIFY_KEY, verifyKey)
                .set(FEDERATION_SERVER_KEYS.VALID_UNTIL_TS, validUntil)
                .set(FEDERATION_SERVER_KEYS.EXPIRED_TS, expiredTs)
                .set(FEDERATION_SERVER_KEYS.FETCHED_TS, now)
                .onConflict(FEDERATION_SERVER_KEYS.SERVER_NAME, FEDERATION_SERVER_KEYS.KEY_ID).doUpdate()
                .set(FEDERATION_SERVER_KEYS.VERIFY_KEY, verifyKey)
                .set(FEDERATION_SERVER_KEYS.VALID_UNTIL_TS, validUntil)
                .set(FEDERATION_SERVER_KEYS.EXPIRED_TS, expiredTs)
                .set(FEDERATION_SERVER_KEYS.FETCHED_TS, now)
                .execute();
    }

    void putResponse(DSLContext tx, String server, String response, long validUntil, long now) {
        tx.insertInto(FEDERATION_KEY_RESPONSES)
                .set(FEDERATION_KEY_RESPONSES.SERVER_NAME, server)
                .set(FEDERATION_KEY_RESPONSES.RESPONSE, response)
                .set(FEDERATION_KEY_RESPONSES.VALID_UNTIL_TS, validUntil)
                .set(FEDERATION_KEY_RESPONSES.FETCHED_TS, now)
                .onConflict(FEDERATION_KEY_RESPONSES.SERVER_NAME).doUpdate()
                .set(FEDERATION_KEY_RESPONSES.RESPONSE, response)
                .set(FEDERATION_KEY_RESPONSES.VALID_UNTIL_TS, validUntil)
                .set(FEDERATION_KEY_RESPONSES.FETCHED_TS, now)
                .execute();
    }

    Optional<ObjectNode> response(DSLContext dsl, String server, long minimumValidUntil) {
        return dsl.select(FEDERATION_KEY_RESPONSES.RESPONSE).from(FEDERATION_KEY_RESPONSES)
                .where(FEDERATION_KEY_RESPONSES.SERVER_NAME.eq(server).and(FEDERATION_KEY_RESPONSES.VALID_UNTIL_TS.ge(minimumValidUntil)))
                .fetchOptional(r -> (ObjectNode) Json.parse(r.value1()));
    }
}
