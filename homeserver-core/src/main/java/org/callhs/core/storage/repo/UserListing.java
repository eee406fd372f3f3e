package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.DEVICES;
import static org.callhs.core.storage.schema.Tables.PROFILES;
import static org.callhs.core.storage.schema.Tables.USERS;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SortField;
import org.jooq.impl.DSL;

/** Accounts with their profile and last activity, filtered, sorted and paged, for the admin API. */
public final class UserListing {
    /** A sort column; {@link #NONE} sorts by user ID only (for columns this server does not keep). */
    public enum Order { NAME, DISPLAYNAME, IS_GUEST, ADMIN, DEACTIVATED, AVATAR_URL, CREATION_TS, LAST_SEEN_TS, NONE }

    /**
     * @param name        part of the localpart or the display name, case-insensitive (null: any)
     * @param userId      part of the user ID, case-insensitive (null: any); ignored when {@code name} is given
     * @param guests      include guests
     * @param deactivated include deactivated accounts
     * @param admins      only admins (true), only non-admins (false), or both (null)
     */
    public record Filter(String name, String userId, boolean guests, boolean deactivated, Boolean admins) {}

    public record Row(String userId, boolean guest, boolean admin, boolean deactivated, boolean erased, long createdTs,
                      String displayname, String avatarUrl, Long lastSeenTs) {}

    public record Page(List<Row> rows, int total) {}

    private static final Field<Long> LAST_SEEN = DSL.field(DSL.select(DSL.max(DEVICES.LAST_SEEN_TS)).from(DEVICES)
            .where(DEVICES.USER_ID.eq(USERS.USER_ID))).as("last_seen_ts");

    public Page page(DSLContext dsl, Filter filter, Order order, boolean descending, int from, int limit) {
        Condition where = conditions(filter);
        int total = dsl.fetchCount(dsl.select(USERS.USER_ID).from(USERS).leftJoin(PROFILES).on(PROFILES.USER_ID.eq(USERS.USER_ID)).where(where));
        List<SortField<?>> sort = new ArrayList<>();
        Field<?> column = switch (order) {
            case NAME, NONE -> null;
            case DISPLAYNAME -> PROFILES.DISPLAYNAME;
            case IS_GUEST -> USERS.IS_GUEST;
            case ADMIN -> USERS.IS_ADMIN;
            case DEACTIVATED -> USERS.DEACTIVATED;
            case AVATAR_URL -> PROFILES.AVATAR_URL;
            case CREATION_TS -> USERS.CREATED_TS;
            case LAST_SEEN_TS -> DSL.field(DSL.name("last_seen_ts"), Long.class);
        };
        if (column != null) sort.add(descending ? column.desc().nullsLast() : column.asc().nullsFirst());
        // The user ID breaks ties, in the requested direction only when it is the sort itself.
        sort.add(order == Order.NAME && descending ? USERS.USER_ID.desc() : USERS.USER_ID.asc());
        List<Row> rows = select(dsl).where(where).orderBy(sort).limit(limit).offset(from).fetch(UserListing::row);
        return new Page(rows, total);
    }

    public Optional<Row> find(DSLContext dsl, String userId) {
        return select(dsl).where(USERS.USER_ID.eq(userId)).fetchOptional(UserListing::row);
    }

    private static org.jooq.SelectOnConditionStep<Record> select(DSLContext dsl) {
        return dsl.select(new org.jooq.SelectField<?>[] {USERS.USER_ID, USERS.IS_GUEST, USERS.IS_ADMIN, USERS.DEACTIVATED, USERS.ERASED, USERS.CREATED_TS,
                        PROFILES.DISPLAYNAME, PROFILES.AVATAR_URL, LAST_SEEN})
                .from(USERS).leftJoin(PROFILES).on(PROFILES.USER_ID.eq(USERS.USER_ID));
    }

    private static Row row(Record r) {
        return new Row(r.get(USERS.USER_ID), r.get(USERS.IS_GUEST), r.get(USERS.IS_ADMIN), r.get(USERS.DEACTIVATED), r.get(USERS.ERASED),
                r.get(USERS.CREATED_TS), r.get(PROFILES.DISPLAYNAME), r.get(PROFILES.AVATAR_URL), r.get(LAST_SEEN));
    }

    private static Condition conditions(Filter filter) {
        List<Condition> all = new ArrayList<>();
        if (filter.name() != null) {
            String pattern = contains(filter.name());
            all.add(DSL.lower(USERS.LOCALPART).like(pattern, '\\').or(DSL.lower(PROFILES.DISPLAYNAME).like(pattern, '\\')));
        } else if (filter.userId() != null) {
            all.add(DSL.lower(USERS.USER_ID).like(contains(filter.userId()), '\\'));
        }
        if (!filter.guests()) all.add(USERS.IS_GUEST.isFalse());
        if (!filter.deactivated()) all.add(USERS.DEACTIVATED.isFalse());
        if (filter.admins() != null) all.add(USERS.IS_ADMIN.eq(filter.admins()));
        return DSL.and(all);
    }

    /** A LIKE pattern for "contains", with the wildcards of the value escaped. */
    static String contains(String value) {
        String escaped = value.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        return "%" + escaped + "%";
    }
}
