package org.callhs.core.account;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.AccessTokenRepository;
import org.callhs.core.storage.repo.RefreshTokenRepository;
import org.callhs.core.storage.repo.UserRepository;
import org.callhs.core.storage.schema.tables.records.RefreshTokensRecord;
import org.jooq.DSLContext;

/**
 * Refresh tokens (<a href="https://spec.matrix.org/v1.16/client-server-api/#refreshing-access-tokens">spec</a>):
 * a login or registration that asks for one (while {@code refresh_tokens.enabled}) gets an
 * access token lasting {@code access_token_lifetime_seconds} and a refresh token lasting
 * {@code refresh_token_lifetime_seconds} (0: until used). {@code POST /refresh} trades a refresh
 * token for a new pair on the same device. The old pair keeps working until the new one is first
 * used (a client that lost the answer can refresh again, which drops the unused pair it was
 * given); after that the old refresh token is unknown: 401 {@code M_UNKNOWN_TOKEN} with
 * {@code soft_logout: true}, as for an expired one.
 */
public final class RefreshTokens {
    private final Database database;
    private final AccessTokenRepository accessTokens;
    private final RefreshTokenRepository refreshTokens;
    private final UserRepository users;
    private final TokenAuthenticator authenticator;
    private final Clock clock;
    private final boolean enabled;
    private final long accessLifetimeMs;
    private final long refreshLifetimeMs;

    /** @param refreshLifetimeMs 0 for refresh tokens that last until used */
    public RefreshTokens(Database database, AccessTokenRepository accessTokens, RefreshTokenRepository refreshTokens, UserRepository users,
                         TokenAuthenticator authenticator, Clock clock, boolean enabled, long accessLifetimeMs, long refreshLifetimeMs) {
        this.database = database;
        this.accessTokens = accessTokens;
        this.refreshTokens = refreshTokens;
        this.users = users;
        this.authenticator = authenticator;
        this.clock = clock;
        this.enabled = enabled;
        this.accessLifetimeMs = accessLifetimeMs;
        this.refreshLifetimeMs = refreshLifetimeMs;
    }

    /** Whether logins that ask for refresh tokens get them. */
    public boolean enabled() {
        return enabled;
    }

    /** Issues an expiring access token and a refresh token for a device, inside the caller's transaction. */
    public LoginSession issue(DSLContext tx, String userId, String deviceId, String previousHash) {
        long now = clock.millis();
        String refresh = Tokens.newRefreshToken();
        String refreshHash = Tokens.hash(refresh);
        refreshTokens.insert(tx, refreshHash, userId, deviceId, now, refreshLifetimeMs > 0 ? now + refreshLifetimeMs : null, previousHash);
        String access = Tokens.newAccessToken();
        accessTokens.insert(tx, Tokens.hash(access), userId, deviceId, now, now + accessLifetimeMs, refreshHash);
        return new LoginSession(userId, deviceId, access, refresh, accessLifetimeMs);
    }

    /** Trades a refresh token for a new pair on the same device. */
    public LoginSession refresh(String refreshToken) {
        String hash = Tokens.hash(refreshToken);
        List<String> revoked = new ArrayList<>();
        LoginSession session = database.transaction(tx -> {
            RefreshTokensRecord row = refreshTokens.find(tx, hash).orElseThrow(RefreshTokens::unknown);
            if (row.getExpiresTs() != null && clock.millis() >= row.getExpiresTs()) throw unknown();
            if (users.find(tx, row.getUserId()).map(u -> Boolean.TRUE.equals(u.getDeactivated())).orElse(true)) throw unknown();
            revoked.addAll(authenticator.retireReplaced(tx, hash)); // this pair is in use now: the one it replaced goes
            for (String unused : refreshTokens.replacementsOf(tx, hash)) {
                // A retry: the pair handed out before was never used.
                revoked.addAll(accessTokens.deleteForRefreshToken(tx, unused));
                refreshTokens.delete(tx, unused);
            }
            return issue(tx, row.getUserId(), row.getDeviceId(), hash);
        });
        if (!revoked.isEmpty()) authenticator.evict(revoked);
        return session;
    }

    private static MatrixException unknown() {
        return new MatrixException(ErrCode.UNKNOWN_TOKEN, 401, "Unknown, used or expired refresh token", Map.of("soft_logout", true),
                Map.of());
    }
}
