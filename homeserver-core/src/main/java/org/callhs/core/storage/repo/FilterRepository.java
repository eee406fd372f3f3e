package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.FILTERS;

import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** Statements on {@code filters}. Filter IDs count up per user. */
public final class FilterRepository {
    /** Stores the filter under the user's next ID (call inside a transaction). */
    public long insert(DSLContext tx, String userId, String definition) {
        Long max = tx.select(DSL.max(FILTERS.FILTER_ID)).from(FILTERS).where(FILTERS.USER_ID.eq(userId)).fetchOne(0, Long.class);
        long id = max == null ? 0 : max + 1;
        tx.insertInto(FILTERS).set(FILTERS.USER_ID, userId).set(FILTERS.FILTER_ID, id).set(FILTERS.DEFINITION, definition).execute();
        return id;
    }

    public Optional<String> find(DSLContext tx, String userId, long filterId) {
        return tx.select(FILTERS.DEFINITION).from(FILTERS)
                .where(FILTERS.USER_ID.eq(userId), FILTERS.FILTER_ID.eq(filterId)).fetchOptional(FILTERS.DEFINITION);
    }
}
