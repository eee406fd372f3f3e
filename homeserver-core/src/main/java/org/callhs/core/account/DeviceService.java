package org.callhs.core.account;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.callhs.core.error.MatrixException;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.AccessTokenRepository;
import org.callhs.core.storage.repo.DeviceRepository;
import org.callhs.core.storage.repo.RefreshTokenRepository;
import org.callhs.core.storage.schema.tables.records.DevicesRecord;
import org.jooq.DSLContext;

/** Devices and the access tokens bound to them: login sessions, logout, device management. */
public final class DeviceService {
    private final Database database;
    private final DeviceRepository devices;
    private final AccessTokenRepository tokens;
    private final TokenAuthenticator authenticator;
    private final Clock clock;
    private final DeviceListener listener;
    private final RefreshTokenRepository refreshTokens = new RefreshTokenRepository();
    private volatile RefreshTokens refreshing;

    public DeviceService(Database database, DeviceRepository devices, AccessTokenRepository tokens,
                         TokenAuthenticator authenticator, Clock clock, DeviceListener listener) {
        this.database = database;
        this.devices = devices;
        this.tokens = tokens;
        this.authenticator = authenticator;
        this.clock = clock;
        this.listener = listener;
    }

    /**
     * Creates (or reuses, when the ID exists) the device and issues a new access token for it,
     * inside the caller's transaction. Tokens already issued for a reused device stay valid.
     * A new device changes the user's device list: call {@link #issued} after the commit.
     */
    public LoginSession issue(DSLContext tx, String userId, String requestedDeviceId, String displayName) {
        return issue(tx, userId, requestedDeviceId, displayName, false);
    }

    /** Uses {@code refreshTokens} for sessions that ask for a refresh token. */
    public void useRefreshTokens(RefreshTokens refreshTokens) {
        this.refreshing = refreshTokens;
    }

    /**
     * Like {@link #issue(DSLContext, String, String, String)}; with {@code refreshable} (and
     * refresh tokens enabled) the access token expires and comes with a refresh token.
     */
    public LoginSession issue(DSLContext tx, String userId, String requestedDeviceId, String displayName, boolean refreshable) {
        String deviceId = requestedDeviceId == null ? Tokens.newDeviceId() : requestedDeviceId;
        long now = clock.millis();
        if (devices.insertIfAbsent(tx, userId, deviceId, displayName, now) > 0) listener.deviceCreated(tx, userId, deviceId);
        RefreshTokens r = refreshing;
        if (refreshable && r != null && r.enabled()) return r.issue(tx, userId, deviceId, null);
        String token = Tokens.newAccessToken();
        tokens.insert(tx, Tokens.hash(token), userId, deviceId, now);
        return new LoginSession(userId, deviceId, token);
    }

    /** After the transaction that called {@link #issue} committed: wakes the sync of the user's peers. */
    public void issued(LoginSession session) {
        listener.committed(session.userId());
    }

    public List<DevicesRecord> list(String userId) {
        return devices.list(database.dsl(), userId);
    }

    public Optional<DevicesRecord> find(String userId, String deviceId) {
        return devices.find(database.dsl(), userId, deviceId);
    }

    /** Renames an existing device; 404 {@code M_NOT_FOUND} for unknown devices. */
    public void rename(String userId, String deviceId, String displayName) {
        int updated = database.transaction(tx -> devices.setDisplayName(tx, userId, deviceId, displayName));
        if (updated == 0) throw MatrixException.notFound("Unknown device");
    }

    /** Deletes devices and their access tokens; unknown IDs are ignored. */
    public void delete(String userId, Collection<String> deviceIds) {
        if (deviceIds.isEmpty()) return;
        List<String> revoked = database.transaction(tx -> {
            if (devices.delete(tx, userId, deviceIds) > 0) listener.devicesDeleted(tx, userId, deviceIds);
            refreshTokens.deleteForDevices(tx, userId, deviceIds);
            return tokens.deleteForDevices(tx, userId, deviceIds);
        });
        authenticator.evict(revoked);
        listener.committed(userId);
    }

    /** Deletes every device of the user except {@code keepDevice} (null: all), with their tokens. */
    public void deleteAllExcept(String userId, String keepDevice) {
        List<String> revoked = database.transaction(tx -> {
            List<String> deleted = devices.list(tx, userId).stream().map(DevicesRecord::getDeviceId)
                    .filter(id -> !id.equals(keepDevice)).toList();
            devices.deleteAllExcept(tx, userId, keepDevice);
            if (!deleted.isEmpty()) listener.devicesDeleted(tx, userId, deleted);
            refreshTokens.deleteAllExceptDevice(tx, userId, keepDevice);
            return tokens.deleteAllExceptDevice(tx, userId, keepDevice);
        });
        authenticator.evict(revoked);
        listener.committed(userId);
    }
}
