package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.ACCESS_TOKENS;
import static org.callhs.core.storage.schema.Tables.USERS;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.callhs.core.auth.Requester;
import org.jooq.DSLContext;

/** Statements on {@code access_tokens}. Tokens are only ever stored as their SHA-256. */
public final class AccessTokenRepository {
    public void insert(DSLContext tx, String tokenHash, String userId, String deviceId, long now) {
        insert(tx, tokenHash, userId, deviceId, now, null, null);
    }

    /** An access token that expires at {@code expiresTs} (null: never), issued with a refresh token (null: none). */
    public void insert(DSLContext tx, String tokenHash, String userId, String deviceId, long now, Long expiresTs, String refreshHash) {
        tx.insertInto(ACCESS_TOKENS)
                .set(ACCESS_TOKENS.TOKEN_HASH, tokenHash)
                .set(ACCESS_TOKENS.USER_ID, userId)
                .set(ACCESS_TOKENS.DEVICE_ID, deviceId)
                .set(ACCESS_TOKENS.CREATED_TS, now)
                .set(ACCESS_TOKENS.EXPIRES_TS, expiresTs)
                .set(ACCESS_TOKENS.REFRESH_TOKEN_HASH, refreshHash)
                .execute();
    }

    /** A valid token: whose it is, when it expires (null: never), and the refresh token issued with it (null: none). */
    public record Found(Requester requester, Long expiresTs, String refreshHash) {}

    /** The requester a token belongs to; deactivated users have no valid tokens. */
    public Optional<Found> findRequester(DSLContext tx, String tokenHash) {
        return tx.select(ACCESS_TOKENS.USER_ID, ACCESS_TOKENS.DEVICE_ID, USERS.IS_GUEST, USERS.IS_ADMIN, ACCESS_TOKENS.EXPIRES_TS,
                        ACCESS_TOKENS.REFRESH_TOKEN_HASH)
                .from(ACCESS_TOKENS).join(USERS).on(USERS.USER_ID.eq(ACCESS_TOKENS.USER_ID))
                .where(ACCESS_TOKENS.TOKEN_HASH.eq(tokenHash), USERS.DEACTIVATED.isFalse())
                .fetchOptional(r -> new Found(new Requester(r.value1(), r.value2(), r.value3(), r.value4(), tokenHash), r.value5(),
                        r.value6()));
    }

    /** Deletes the access tokens issued with a refresh token; their hashes. */
    public List<String> deleteForRefreshToken(DSLContext tx, String refreshHash) {
        List<String> hashes = tx.select(ACCESS_TOKENS.TOKEN_HASH).from(ACCESS_TOKENS).where(ACCESS_TOKENS.REFRESH_TOKEN_HASH.eq(refreshHash))
                .fetch(ACCESS_TOKENS.TOKEN_HASH);
        tx.deleteFrom(ACCESS_TOKENS).where(ACCESS_TOKENS.REFRESH_TOKEN_HASH.eq(refreshHash)).execute();
        return hashes;
    }

    /** Hashes of the tokens of these devices (to evict them from the cache), then deletes them. */
    public List<String> deleteForDevices(DSLContext tx, String userId, Collection<String> deviceIds) {
        List<String> hashes = tx.select(ACCESS_TOKENS.TOKEN_HASH).from(ACCESS_TOKENS)
                .where(ACCESS_TOKENS.USER_ID.eq(userId), ACCESS_TOKENS.DEVICE_ID.in(deviceIds)).fetch(ACCESS_TOKENS.TOKEN_HASH);
        tx.deleteFrom(ACCESS_TOKENS).where(ACCESS_TOKENS.USER_ID.eq(userId), ACCESS_TOKENS.DEVICE_ID.in(deviceIds)).execute();
        return hashes;
    }

    /** Deletes every token of the user except those of device {@code keepDevice} (may be null); returns their hashes. */
    public List<String> deleteAllExceptDevice(DSLContext tx, String userId, String keepDevice) {
        var condition = ACCESS_TOKENS.USER_ID.eq(userId);
        if (keepDevice != null) condition = condition.and(ACCESS_TOKENS.DEVICE_ID.ne(keepDevice));
        List<String> hashes = tx.select(ACCESS_TOKENS.TOKEN_HASH).from(ACCESS_TOKENS).where(condition).fetch(ACCESS_TOKENS.TOKEN_HASH);
        tx.deleteFrom(ACCESS_TOKENS).where(condition).execute();
        return hashes;
    }

    /** The hashes of every access token of the user, to evict from caches when the user's rights change. */
    public List<String> hashesOf(DSLContext tx, String userId) {
        return tx.select(ACCESS_TOKENS.TOKEN_HASH).from(ACCESS_TOKENS).where(ACCESS_TOKENS.USER_ID.eq(userId)).fetch(ACCESS_TOKENS.TOKEN_HASH);
    }
}
