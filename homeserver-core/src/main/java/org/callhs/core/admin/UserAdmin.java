package org.callhs.core.admin;

import java.util.List;
import java.util.Optional;
import org.callhs.core.account.AccountDeactivation;
import org.callhs.core.account.AccountService;
import org.callhs.core.account.TokenAuthenticator;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.AccessTokenRepository;
import org.callhs.core.storage.repo.ProfileRepository;
import org.callhs.core.storage.repo.UserListing;
import org.callhs.core.storage.repo.UserRepository;
import org.callhs.core.util.MatrixIds;

/** What the admin API does to accounts: list, read, create or change, deactivate, set a password. */
public final class UserAdmin {
    /**
     * A create-or-modify request. {@code displayname} and {@code avatarUrl}: null leaves them,
     * "" removes them. {@code admin} and {@code deactivated}: null leaves them.
     */
    public record Changes(String password, boolean logoutDevices, String displayname, String avatarUrl, Boolean admin,
                          Boolean deactivated) {}

    private final Database database;
    private final UserListing listing;
    private final UserRepository users;
    private final ProfileRepository profiles;
    private final AccessTokenRepository tokens;
    private final AccountService accounts;
    private final AccountDeactivation deactivation;
    private final TokenAuthenticator authenticator;

    public UserAdmin(Database database, UserListing listing, UserRepository users, ProfileRepository profiles,
                     AccessTokenRepository tokens, AccountService accounts, AccountDeactivation deactivation,
                     TokenAuthenticator authenticator) {
        this.database = database;
        this.listing = listing;
        this.users = users;
        this.profiles = profiles;
        this.tokens = tokens;
        this.accounts = accounts;
        this.deactivation = deactivation;
        this.authenticator = authenticator;
    }

    public UserListing.Page list(UserListing.Filter filter, UserListing.Order order, boolean descending, int from, int limit) {
        return listing.page(database.dsl(), filter, order, descending, from, limit);
    }

    public Optional<UserListing.Row> find(String userId) {
        return listing.find(database.dsl(), userId);
    }

    /**
     * Creates the account when it does not exist (true) or changes it (false). {@code actingUser}
     * and {@code actingDevice} are the admin's own: an admin cannot demote themself, and a
     * password change keeps the admin's own session when they change their own password.
     */
    public boolean createOrModify(String userId, Changes changes, String actingUser, String actingDevice) {
        if (find(userId).isEmpty()) {
            create(userId, changes);
            return true;
        }
        modify(userId, changes, actingUser, actingDevice);
        return false;
    }

    private void create(String userId, Changes changes) {
        String localpart = MatrixIds.localpart(userId);
        if (!accounts.checkUsernameAvailable(localpart).equals(localpart)) {
            throw new MatrixException(ErrCode.INVALID_USERNAME, 400, "User ID can only contain characters a-z, 0-9, or '=_-./+'");
        }
        if (changes.password() != null) AccountService.checkPassword(changes.password());
        accounts.register(localpart, changes.password(), false, Boolean.TRUE.equals(changes.admin()), true, null, null);
        database.transaction(tx -> {
            if (changes.displayname() != null && !changes.displayname().isEmpty()) profiles.setDisplayname(tx, userId, changes.displayname());
            if (changes.avatarUrl() != null && !changes.avatarUrl().isEmpty()) profiles.setAvatarUrl(tx, userId, changes.avatarUrl());
            return null;
        });
    }

    private void modify(String userId, Changes changes, String actingUser, String actingDevice) {
        if (Boolean.FALSE.equals(changes.admin()) && userId.equals(actingUser)) {
            throw new MatrixException(ErrCode.UNKNOWN, 400, "You may not demote yourself.");
        }
        if (changes.password() != null) {
            accounts.changePassword(userId, changes.password(), changes.logoutDevices(), userId.equals(actingUser) ? actingDevice : null);
        }
        List<String> rightsChanged = database.transaction(tx -> {
            if (changes.displayname() != null) profiles.setDisplayname(tx, userId, changes.displayname().isEmpty() ? null : changes.displayname());
            if (changes.avatarUrl() != null) profiles.setAvatarUrl(tx, userId, changes.avatarUrl().isEmpty() ? null : changes.avatarUrl());
            if (changes.admin() != null) users.setAdmin(tx, userId, changes.admin());
            if (Boolean.FALSE.equals(changes.deactivated())) users.reactivate(tx, userId);
            return changes.admin() != null ? tokens.hashesOf(tx, userId) : List.<String>of();
        });
        // Sessions cache the admin flag with the token: they see the change at their next request.
        if (!rightsChanged.isEmpty()) authenticator.evict(rightsChanged);
        if (Boolean.TRUE.equals(changes.deactivated())) deactivation.deactivate(userId, null, false);
    }

    /** Deactivates the account (logs out every device, leaves every room); {@code erase} also removes the profile. */
    public void deactivate(String userId, boolean erase) {
        deactivation.deactivate(userId, null, erase);
    }

    /** Sets a new password; with {@code logoutDevices}, every device is logged out. */
    public void resetPassword(String userId, String password, boolean logoutDevices) {
        accounts.changePassword(userId, password, logoutDevices, null);
    }
}
