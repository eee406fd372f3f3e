package org.callhs.core.account;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import org.callhs.core.auth.AccessTokenAuthenticator;
import org.callhs.core.auth.Requester;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.AccessTokenRepository;

/**
 * Access-token lookup with a cache in front of the database. Revocations in this process evict
 * entries at once ({@link #evict}); the cache also expires entries after five minutes, which
 * bounds how long a token revoked by another process (e.g. an admin tool writing to the same
 * database) keeps working. Unknown tokens are not cached.
 */
public final class TokenAuthenticator implements AccessTokenAuthenticator {
    private final Database database;
    private final AccessTokenRepository tokens;
    private final Cache<String, Requester> cache = Caffeine.newBuilder()
            .maximumSize(200_000)
            .expireAfterWrite(Duration.ofMinutes(5))
            .build();

    public TokenAuthenticator(Database database, AccessTokenRepository tokens) {
        this.database = database;
        this.tokens = tokens;
    }

    @Override
    public Optional<Requester> authenticate(String accessToken) {
        String hash = Tokens.hash(accessToken);
        Requester cached = cache.getIfPresent(hash);
        if (cached != null) return Optional.of(cached);
        Optional<Requester> found = tokens.findRequester(database.dsl(), hash);
        found.ifPresent(r -> cache.put(hash, r));
        return found;
    }

    public void evict(Collection<String> tokenHashes) {
        cache.invalidateAll(tokenHashes);
    }
}
