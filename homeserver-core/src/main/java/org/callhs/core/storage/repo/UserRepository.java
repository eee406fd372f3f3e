package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.USERS;

import java.util.Optional;
import org.callhs.core.storage.schema.tables.records.UsersRecord;
import org.jooq.DSLContext;

/** Statements on {@code users}. */
public final class UserRepository {
    public void insert(DSLContext tx, String userId, String localpart, String passwordHash, boolean guest, boolean admin, long now) {
        tx.insertInto(USERS)
                .set(USERS.USER_ID, userId)
                .set(USERS.LOCALPART, localpart)
                .set(USERS.PASSWORD_HASH, passwordHash)
                .set(USERS.IS_GUEST, guest)
                .set(USERS.IS_ADMIN, admin)
                .set(USERS.CREATED_TS, now)
                .set(USERS.DEACTIVATED, false)
                .execute();
    }

    public Optional<UsersRecord> find(DSLContext tx, String userId) {
        return tx.selectFrom(USERS).where(USERS.USER_ID.eq(userId)).fetchOptional();
    }

    public boolean localpartTaken(DSLContext tx, String localpart) {
        return tx.fetchExists(USERS, USERS.LOCALPART.eq(localpart));
    }

    /** Deactivates the account for good: no login, no token, the ID never given out again. */
    public void deactivate(DSLContext tx, String userId) {
        tx.update(USERS).set(USERS.DEACTIVATED, true).where(USERS.USER_ID.eq(userId)).execute();
    }

    public void updatePasswordHash(DSLContext tx, String userId, String passwordHash) {
        tx.update(USERS).set(USERS.PASSWORD_HASH, passwordHash).where(USERS.USER_ID.eq(userId)).execute();
    }

    public void setErased(DSLContext tx, String userId) {
        tx.update(USERS).set(USERS.ERASED, true).where(USERS.USER_ID.eq(userId)).execute();
    }

    public void setAdmin(DSLContext tx, String userId, boolean admin) {
        tx.update(USERS).set(USERS.IS_ADMIN, admin).where(USERS.USER_ID.eq(userId)).execute();
    }

    /** Makes a deactivated account usable again (its profile erasure, if any, stays recorded). */
    public void reactivate(DSLContext tx, String userId) {
        tx.update(USERS).set(USERS.DEACTIVATED, false).where(USERS.USER_ID.eq(userId)).execute();
    }
}
