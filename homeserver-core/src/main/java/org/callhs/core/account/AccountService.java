package org.callhs.core.account;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.ProfileRepository;
import org.callhs.core.storage.repo.UserRepository;
import org.callhs.core.storage.schema.tables.records.UsersRecord;
import org.callhs.core.util.MatrixIds;

/** Accounts: username rules, registration, password login and password changes. */
public final class AccountService {
    /** Longest accepted password, in characters (hashing cost grows with length). */
    public static final int MAX_PASSWORD_LENGTH = 512;

    private final String serverName;
    private final Database database;
    private final UserRepository users;
    private final ProfileRepository profiles;
    private final DeviceService devices;
    private final PasswordHasher hasher;
    private final Clock clock;

    public AccountService(String serverName, Database database, UserRepository users, ProfileRepository profiles,
                          DeviceService devices, PasswordHasher hasher, Clock clock) {
        this.serverName = serverName;
        this.database = database;
        this.users = users;
        this.profiles = profiles;
        this.devices = devices;
        this.hasher = hasher;
        this.clock = clock;
    }

    public String serverName() { return serverName; }

    /**
     * Normalises a requested username to a localpart (lower case, as Synapse does) and checks
     * the rules: 400 {@code M_INVALID_USERNAME} for bad characters, a leading '_' (reserved for
     * application services), all digits (reserved for guests) or a user ID over 255 bytes;
     * 400 {@code M_USER_IN_USE} when taken.
     */
    public String checkUsernameAvailable(String username) {
        String localpart = username.toLowerCase(Locale.ROOT);
        if (!MatrixIds.isValidNewLocalpart(localpart)) {
            throw invalidUsername("User ID can only contain characters a-z, 0-9, or '=_-./+'");
        }
        if (localpart.startsWith("_")) throw invalidUsername("User ID may not begin with _");
        if (localpart.chars().allMatch(Character::isDigit)) throw invalidUsername("Numeric user IDs are reserved for guest users");
        if (MatrixIds.userId(localpart, serverName).getBytes(StandardCharsets.UTF_8).length > MatrixIds.MAX_ID_BYTES) {
            throw invalidUsername("User ID may not be longer than " + MatrixIds.MAX_ID_BYTES + " bytes");
        }
        if (users.localpartTaken(database.dsl(), localpart)) {
            throw new MatrixException(ErrCode.USER_IN_USE, 400, "User ID already taken");
        }
        return localpart;
    }

    private static MatrixException invalidUsername(String message) {
        return new MatrixException(ErrCode.INVALID_USERNAME, 400, message);
    }

    public static void checkPassword(String password) {
        if (password.length() > MAX_PASSWORD_LENGTH) {
            throw MatrixException.invalidParam("Password too long (max " + MAX_PASSWORD_LENGTH + " characters)");
        }
    }

    /**
     * Creates an account and, unless {@code inhibitLogin}, its first device and token. The
     * localpart must have passed {@link #checkUsernameAvailable}; a concurrent registration of
     * the same name loses with {@code M_USER_IN_USE}.
     */
    public Optional<LoginSession> register(String localpart, String password, boolean guest, boolean admin,
                                           boolean inhibitLogin, String deviceId, String deviceDisplayName) {
        return register(localpart, password, guest, admin, inhibitLogin, deviceId, deviceDisplayName, false);
    }

    /** Like the other {@code register}; {@code refreshable}: the session gets a refresh token when they are enabled. */
    public Optional<LoginSession> register(String localpart, String password, boolean guest, boolean admin,
                                           boolean inhibitLogin, String deviceId, String deviceDisplayName, boolean refreshable) {
        String userId = MatrixIds.userId(localpart, serverName);
        String passwordHash = password == null ? null : hasher.hash(password);
        try {
            Optional<LoginSession> session = database.transaction(tx -> {
                if (users.localpartTaken(tx, localpart)) throw new MatrixException(ErrCode.USER_IN_USE, 400, "User ID already taken");
                users.insert(tx, userId, localpart, passwordHash, guest, admin, clock.millis());
                profiles.insert(tx, userId, guest ? null : localpart);
                if (inhibitLogin) return Optional.<LoginSession>empty();
                return Optional.of(devices.issue(tx, userId, deviceId, deviceDisplayName, refreshable));
            });
            session.ifPresent(devices::issued);
            return session;
        } catch (org.jooq.exception.IntegrityConstraintViolationException e) {
            throw new MatrixException(ErrCode.USER_IN_USE, 400, "User ID already taken");
        }
    }

    /** Sets a new account's display name (it is in no room yet, so there is no membership to update). */
    public void setInitialDisplayname(String userId, String displayname) {
        database.transaction(tx -> {
            profiles.setDisplayname(tx, userId, displayname);
            return null;
        });
    }

    /** Registers a guest: a numeric localpart chosen by the server, a device and a token. */
    public LoginSession registerGuest(String deviceDisplayName) {
        for (int attempt = 0; attempt < 10; attempt++) {
            String localpart = Long.toString(clock.millis()) + Tokens.random("0123456789", 6);
            if (users.localpartTaken(database.dsl(), localpart)) continue;
            try {
                return register(localpart, null, true, false, false, null, deviceDisplayName).orElseThrow();
            } catch (MatrixException e) {
                if (!ErrCode.USER_IN_USE.equals(e.errcode())) throw e;
            }
        }
        throw new MatrixException(ErrCode.UNKNOWN, 500, "Could not allocate a guest user ID");
    }

    /**
     * Resolves a login identifier (localpart or full user ID of this server) and checks the
     * password. Unknown users and wrong passwords get the same 403 {@code M_FORBIDDEN}, so the
     * answer does not reveal which accounts exist; deactivated accounts get
     * {@code M_USER_DEACTIVATED} only after a correct password.
     */
    public UsersRecord checkPassword(String identifier, String password) {
        String userId = identifier.startsWith("@") ? identifier : MatrixIds.userId(identifier.toLowerCase(Locale.ROOT), serverName);
        if (identifier.startsWith("@") && !MatrixIds.serverName(identifier).equals(serverName)) {
            throw invalidCredentials();
        }
        Optional<UsersRecord> user = users.find(database.dsl(), userId);
        if (user.isEmpty() && identifier.startsWith("@")) user = users.find(database.dsl(), userId.toLowerCase(Locale.ROOT));
        if (user.isEmpty() || !hasher.verify(password, user.get().getPasswordHash())) throw invalidCredentials();
        if (Boolean.TRUE.equals(user.get().getDeactivated())) {
            throw new MatrixException(ErrCode.USER_DEACTIVATED, 403, "This account has been deactivated");
        }
        return user.get();
    }

    private static MatrixException invalidCredentials() {
        return MatrixException.forbidden("Invalid username or password");
    }

    public LoginSession login(String userId, String deviceId, String deviceDisplayName) {
        return login(userId, deviceId, deviceDisplayName, false);
    }

    /** A login; {@code refreshable}: with a refresh token when they are enabled. */
    public LoginSession login(String userId, String deviceId, String deviceDisplayName, boolean refreshable) {
        LoginSession session = database.transaction(tx -> devices.issue(tx, userId, deviceId, deviceDisplayName, refreshable));
        devices.issued(session);
        return session;
    }

    /** Sets a new password; with {@code logoutDevices}, every other device is logged out. */
    public void changePassword(String userId, String newPassword, boolean logoutDevices, String keepDevice) {
        checkPassword(newPassword);
        String hash = hasher.hash(newPassword);
        database.transaction(tx -> {
            users.updatePasswordHash(tx, userId, hash);
            return null;
        });
        if (logoutDevices) devices.deleteAllExcept(userId, keepDevice);
    }

    public Optional<UsersRecord> find(String userId) {
        return users.find(database.dsl(), userId);
    }
}
