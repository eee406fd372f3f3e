package org.callhs.core.account;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.callhs.core.cluster.CacheInvalidations;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import org.callhs.core.auth.AccessTokenAuthenticator;
import org.callhs.core.auth.Requester;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.AccessTokenRepository;

/**
 * Access-token lookup with a cache in front of the database. Revocations evict entries at once
 * ({@link #evict}), on every instance of a cluster ({@link CacheInvalidations}); the cache also
 * expires entries after five minutes, which bounds how long a token revoked by another program
 * writing to the same database (an admin tool) keeps working. Unknown tokens are not cached.
 */
public final class TokenAuthenticator implements AccessTokenAuthenticator {
    private final Database database;
    private final AccessTokenRepository tokens;
    private final Cache<String, Requester> cache = Caffeine.newBuilder()
            .maximumSize(200_000)
            .expireAfterWrite(Duration.ofMinutes(5))
            .build();

    private final CacheInvalidations invalidations;

    public TokenAuthenticator(Database database, AccessTokenRepository tokens, CacheInvalidations invalidations) {
        this.database = database;
        this.tokens = tokens;
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
        Requester cached = cache.getIfPresent(hash);
        if (cached != null) return Optional.of(cached);
        Optional<Requester> found = tokens.findRequester(database.dsl(), hash);
        found.ifPresent(r -> cache.put(hash, r));
        return found;
    }

    /** Forgets revoked tokens (by hash), here and on the other instances; call it after the revocation committed. */
    public void evict(Collection<String> tokenHashes) {
        invalidations.invalidate(CACHE, tokenHashes);
    }
}
