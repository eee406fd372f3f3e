package org.callhs.core.account;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.callhs.core.auth.AccessTokenAuthenticator;
import org.callhs.core.auth.Requester;
import org.callhs.core.cluster.CacheInvalidations;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.AccessTokenRepository;
import org.callhs.core.storage.repo.RefreshTokenRepository;
import org.jooq.DSLContext;

/**
 * Access-token lookup with a cache in front of the database. Revocations evict entries at once
 * ({@link #evict}), on every instance of a cluster ({@link CacheInvalidations}); the cache also
 * expires entries after five minutes, which bounds how long a token revoked by another program
 * writing to the same database (an admin tool) keeps working. Unknown tokens are not cached.
 * A token past its expiry (sessions with refresh tokens) is refused with 401
 * {@code M_UNKNOWN_TOKEN} and {@code soft_logout: true}; the first use of an access token issued
 * by a refresh deletes the refresh token it replaced and that token's access token.
 */
public final class TokenAuthenticator implements AccessTokenAuthenticator {
    private final Database database;
    private final AccessTokenRepository tokens;
    private final RefreshTokenRepository refreshTokens;
    private final Clock clock;
    private final Cache<String, AccessTokenRepository.Found> cache = Caffeine.newBuilder()
            .maximumSize(200_000)
            .expireAfterWrite(Duration.ofMinutes(5))
            .build();

    private final CacheInvalidations invalidations;

    public TokenAuthenticator(Database database, AccessTokenRepository tokens, RefreshTokenRepository refreshTokens, Clock clock,
                              CacheInvalidations invalidations) {
        this.database = database;
        this.tokens = tokens;
        this.refreshTokens = refreshTokens;
        this.clock = clock;
        this.invalidations = invalidations;
        invalidations.register(CACHE, hashes -> {
            if (hashes.isEmpty()) cache.invalidateAll(); else cache.invalidateAll(hashes);
        });
    }

    /** The name its evictions go by between instances. */
    static final String CACHE = "access_tokens";

    @Override
    public Optional<Requester> authenticate(String accessToken) {
        String hash = Tokens.hash(accessToken);
        AccessTokenRepository.Found found = cache.getIfPresent(hash);
        if (found == null) {
            found = tokens.findRequester(database.dsl(), hash).orElse(null);
            if (found == null) return Optional.empty();
            if (found.refreshHash() != null) firstUse(found.refreshHash());
            cache.put(hash, found);
        }
        if (found.expiresTs() != null && clock.millis() >= found.expiresTs()) {
            throw new MatrixException(ErrCode.UNKNOWN_TOKEN, 401, "Access token has expired", Map.of("soft_logout", true), Map.of());
        }
        return Optional.of(found.requester());
    }

    /** A pair from a refresh is in use: the refresh token it replaced, and that token's access tokens, go. */
    void firstUse(String refreshHash) {
        // Read first: only the first use after a refresh has anything to delete.
        if (refreshTokens.find(database.dsl(), refreshHash).map(r -> r.getPreviousHash()).isEmpty()) return;
        List<String> revoked = database.transaction(tx -> retireReplaced(tx, refreshHash));
        if (!revoked.isEmpty()) evict(revoked);
    }

    /**
     * Inside the caller's transaction: deletes the refresh token that {@code refreshHash}
     * replaced, with its access tokens, and marks {@code refreshHash}'s pair as in use. The
     * hashes of the deleted access tokens, to {@link #evict} after the commit.
     */
    List<String> retireReplaced(DSLContext tx, String refreshHash) {
        String previous = refreshTokens.find(tx, refreshHash).map(r -> r.getPreviousHash()).orElse(null);
        if (previous == null) return List.of();
        List<String> gone = tokens.deleteForRefreshToken(tx, previous);
        refreshTokens.delete(tx, previous);
        refreshTokens.clearPrevious(tx, refreshHash);
        return gone;
    }

    /** Forgets revoked tokens (by hash), here and on the other instances; call it after the revocation committed. */
    public void evict(Collection<String> tokenHashes) {
        invalidations.invalidate(CACHE, tokenHashes);
    }
}
