package org.callhs.rtc;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;
import org.callhs.core.account.Tokens;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.spi.RemoteServers;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.OpenIdTokenRepository;
import org.callhs.core.storage.repo.OpenIdTokenRepository.Owner;

/**
 * Whose an OpenID token is: this server's tokens are looked up locally (and remembered until
 * they expire, so a burst of token requests costs one query each), other servers' through their
 * {@code /_matrix/federation/v1/openid/userinfo}. Any failure is 401 {@code M_UNAUTHORIZED},
 * as lk-jwt-service answers; why is logged, never the token.
 */
class OpenIdUsers {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OpenIdUsers.class);

    private final Database database;
    private final OpenIdTokenRepository tokens;
    private final Supplier<RemoteServers> remote;
    private final String serverName;
    private final Clock clock;
    private final Cache<String, Owner> local;

    OpenIdUsers(Database database, OpenIdTokenRepository tokens, Supplier<RemoteServers> remote, String serverName, Clock clock) {
        this.database = database;
        this.tokens = tokens;
        this.remote = remote;
        this.serverName = serverName;
        this.clock = clock;
        this.local = Caffeine.newBuilder().maximumSize(100_000).expireAfter(new Expiry<String, Owner>() {
            @Override
            public long expireAfterCreate(String key, Owner owner, long currentTime) {
                return Math.max(0, owner.expiresAt() - clock.millis()) * 1_000_000L;
            }

            @Override
            public long expireAfterUpdate(String key, Owner owner, long currentTime, long currentDuration) {
                return expireAfterCreate(key, owner, currentTime);
            }

            @Override
            public long expireAfterRead(String key, Owner owner, long currentTime, long currentDuration) {
                return currentDuration;
            }
        }).build();
    }

    /** The user {@code accessToken}, an OpenID token of {@code server}, belongs to. */
    String userOf(String accessToken, String server) {
        if (server.equals(serverName)) {
            String hash = Tokens.hash(accessToken);
            Owner owner = local.getIfPresent(hash);
            long now = clock.millis();
            if (owner == null || owner.expiresAt() <= now) {
                Optional<Owner> found = tokens.ownerOf(database.dsl(), hash, now);
                if (found.isEmpty()) throw unauthorized("unknown or expired OpenID token of this server");
                owner = found.get();
                local.put(hash, owner);
            }
            return owner.userId();
        }
        try {
            return remote.get().openIdUserInfo(server, accessToken);
        } catch (MatrixException e) {
            throw unauthorized("OpenID user info from " + server + " failed: " + e.getMessage());
        }
    }

    static MatrixException unauthorized(String why) {
        log.info("LiveKit token request refused: {}", why);
        return new MatrixException(ErrCode.UNAUTHORIZED, 401, "The request could not be authorised.");
    }
}
