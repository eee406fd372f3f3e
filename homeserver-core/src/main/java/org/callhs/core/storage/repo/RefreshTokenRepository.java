package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.REFRESH_TOKENS;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.callhs.core.storage.schema.tables.records.RefreshTokensRecord;
import org.jooq.DSLContext;

/** Statements on {@code refresh_tokens}. Tokens are only ever stored as their SHA-256. */
public final class RefreshTokenRepository {
    public void insert(DSLContext tx, String tokenHash, String userId, String deviceId, long now, Long expiresTs, String previousHash) {
        tx.insertInto(REFRESH_TOKENS).set(REFRESH_TOKENS.TOKEN_HASH, tokenHash).set(REFRESH_TOKENS.USER_ID, userId)
                .set(REFRESH_TOKENS.DEVICE_ID, deviceId).set(REFRESH_TOKENS.CREATED_TS, now).set(REFRESH_TOKENS.EXPIRES_TS, expiresTs)
                .set(REFRESH_TOKENS.PREVIOUS_HASH, previousHash).execute();
    }

    public Optional<RefreshTokensRecord> find(DSLContext dsl, String tokenHash) {
        return dsl.selectFrom(REFRESH_TOKENS).where(REFRESH_TOKENS.TOKEN_HASH.eq(tokenHash)).fetchOptional();
    }

    /** The refresh tokens issued in exchange for this one that have not been used yet. */
    public List<String> replacementsOf(DSLContext tx, String tokenHash) {
        return tx.select(REFRESH_TOKENS.TOKEN_HASH).from(REFRESH_TOKENS).where(REFRESH_TOKENS.PREVIOUS_HASH.eq(tokenHash))
                .fetch(REFRESH_TOKENS.TOKEN_HASH);
    }

    /** Marks a refresh token's pair as used: it no longer points at the token it replaced. */
    public void clearPrevious(DSLContext tx, String tokenHash) {
        tx.update(REFRESH_TOKENS).setNull(REFRESH_TOKENS.PREVIOUS_HASH).where(REFRESH_TOKENS.TOKEN_HASH.eq(tokenHash)).execute();
    }

    public void delete(DSLContext tx, String tokenHash) {
        tx.deleteFrom(REFRESH_TOKENS).where(REFRESH_TOKENS.TOKEN_HASH.eq(tokenHash)).execute();
    }

    public void deleteForDevices(DSLContext tx, String userId, Collection<String> deviceIds) {
        tx.deleteFrom(REFRESH_TOKENS).where(REFRESH_TOKENS.USER_ID.eq(userId), REFRESH_TOKENS.DEVICE_ID.in(deviceIds)).execute();
    }

    public void deleteAllExceptDevice(DSLContext tx, String userId, String keepDevice) {
        var condition = REFRESH_TOKENS.USER_ID.eq(userId);
        if (keepDevice != null) condition = condition.and(REFRESH_TOKENS.DEVICE_ID.ne(keepDevice));
        tx.deleteFrom(REFRESH_TOKENS).where(condition).execute();
    }
}
