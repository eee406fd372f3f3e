package org.callhs.core.account;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.callhs.core.error.MatrixException;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.AccessTokenRepository;
import org.callhs.core.storage.repo.DeviceRepository;
import org.callhs.core.storage.schema.tables.records.DevicesRecord;
import org.jooq.DSLContext;

/** Devices and the access tokens bound to them: login sessions, logout, device management. */
public final class DeviceService {
    private final Database database;
    private final DeviceRepository devices;
    private final AccessTokenRepository tokens;
    private final TokenAuthenticator authenticator;
    private final Clock clock;

    public DeviceService(Database database, DeviceRepository devices, AccessTokenRepository tokens,
                         TokenAuthenticator authenticator, Clock clock) {
        this.database = database;
        this.devices = devices;
        this.tokens = tokens;
        this.authenticator = authenticator;
        this.clock = clock;
    }

    /**
     * Creates (or reuses, when the ID exists) the device and issues a new access token for it,
     * inside the caller's transaction. Tokens already issued for a reused device stay valid.
     */
    public LoginSession issue(DSLContext tx, String userId, String requestedDeviceId, String displayName) {
        String deviceId = requestedDeviceId == null ? Tokens.newDeviceId() : requestedDeviceId;
        long now = clock.millis();
        devices.insertIfAbsent(tx, userId, deviceId, displayName, now);
        String token = Tokens.newAccessToken();
        tokens.insert(tx, Tokens.hash(token), userId, deviceId, now);
        return new LoginSession(userId, deviceId, token);
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
            devices.delete(tx, userId, deviceIds);
            return tokens.deleteForDevices(tx, userId, deviceIds);
        });
        authenticator.evict(revoked);
    }

    /** Deletes every device of the user except {@code keepDevice} (null: all), with their tokens. */
    public void deleteAllExcept(String userId, String keepDevice) {
        List<String> revoked = database.transaction(tx -> {
            devices.deleteAllExcept(tx, userId, keepDevice);
            return tokens.deleteAllExceptDevice(tx, userId, keepDevice);
        });
        authenticator.evict(revoked);
    }
}
