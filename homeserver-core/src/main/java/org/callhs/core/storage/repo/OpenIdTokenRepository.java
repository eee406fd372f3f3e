package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.OPENID_TOKENS;

import java.util.Optional;
import org.jooq.DSLContext;

/** Statements on {@code openid_tokens}. */
public final class OpenIdTokenRepository {
    public void insert(DSLContext tx, String tokenHash, String userId, long expiresAt) {
        tx.insertInto(OPENID_TOKENS).set(OPENID_TOKENS.TOKEN_HASH, tokenHash).set(OPENID_TOKENS.USER_ID, userId)
                .set(OPENID_TOKENS.EXPIRES_AT, expiresAt).execute();
    }

    /** The user a token that has not expired by {@code now} belongs to. */
    public Optional<String> userOf(DSLContext tx, String tokenHash, long now) {
        return tx.select(OPENID_TOKENS.USER_ID).from(OPENID_TOKENS)
                .where(OPENID_TOKENS.TOKEN_HASH.eq(tokenHash), OPENID_TOKENS.EXPIRES_AT.gt(now))
                .fetchOptional(OPENID_TOKENS.USER_ID);
    }

    /** A token's owner and expiry, in milliseconds since the epoch. */
    public record Owner(String userId, long expiresAt) {}

    /** The owner of a token that has not expired by {@code now}, with its expiry. */
    public Optional<Owner> ownerOf(DSLContext tx, String tokenHash, long now) {
        return tx.select(OPENID_TOKENS.USER_ID, OPENID_TOKENS.EXPIRES_AT).from(OPENID_TOKENS)
                .where(OPENID_TOKENS.TOKEN_HASH.eq(tokenHash), OPENID_TOKENS.EXPIRES_AT.gt(now))
                .fetchOptional(r -> new Owner(r.value1(), r.value2()));
    }

    public int deleteExpired(DSLContext tx, long now) {
        return tx.deleteFrom(OPENID_TOKENS).where(OPENID_TOKENS.EXPIRES_AT.le(now)).execute();
    }
}
