package org.callhs.core.account;

import org.callhs.core.room.RoomDeparture;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.ProfileRepository;
import org.callhs.core.storage.repo.UserRepository;

/**
 * Deactivates an account (Client-Server API "Account deactivation"), in the order that leaves no
 * way back in: the account is marked deactivated (no login; the user directory and invites skip
 * it), and with {@code erase} its display name and avatar are removed, in one transaction; then
 * every device and access token goes (other instances of a cluster drop their cached tokens);
 * then the user leaves every room they are in, invited to or knocking on.
 */
public final class AccountDeactivation {
    private final Database database;
    private final UserRepository users;
    private final ProfileRepository profiles;
    private final DeviceService devices;
    private final RoomDeparture rooms;

    public AccountDeactivation(Database database, UserRepository users, ProfileRepository profiles, DeviceService devices,
                               RoomDeparture rooms) {
        this.database = database;
        this.users = users;
        this.profiles = profiles;
        this.devices = devices;
        this.rooms = rooms;
    }

    public void deactivate(String userId, String deviceId, boolean erase) {
        database.transaction(tx -> {
            users.deactivate(tx, userId);
            if (erase) {
                users.setErased(tx, userId);
                profiles.setDisplayname(tx, userId, null);
                profiles.setAvatarUrl(tx, userId, null);
            }
            return null;
        });
        devices.deleteAllExcept(userId, null);
        rooms.leaveAll(userId, deviceId);
    }
}
