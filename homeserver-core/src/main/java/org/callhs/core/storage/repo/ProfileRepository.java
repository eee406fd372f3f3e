package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.PROFILES;

import java.util.Optional;
import org.callhs.core.storage.schema.tables.records.ProfilesRecord;
import org.jooq.DSLContext;

/** Statements on {@code profiles}. */
public final class ProfileRepository {
    public void insert(DSLContext tx, String userId, String displayname) {
        tx.insertInto(PROFILES).set(PROFILES.USER_ID, userId).set(PROFILES.DISPLAYNAME, displayname).execute();
    }

    public Optional<ProfilesRecord> find(DSLContext tx, String userId) {
        return tx.selectFrom(PROFILES).where(PROFILES.USER_ID.eq(userId)).fetchOptional();
    }

    public void setDisplayname(DSLContext tx, String userId, String displayname) {
        tx.update(PROFILES).set(PROFILES.DISPLAYNAME, displayname).where(PROFILES.USER_ID.eq(userId)).execute();
    }

    public void setAvatarUrl(DSLContext tx, String userId, String avatarUrl) {
        tx.update(PROFILES).set(PROFILES.AVATAR_URL, avatarUrl).where(PROFILES.USER_ID.eq(userId)).execute();
    }
}
