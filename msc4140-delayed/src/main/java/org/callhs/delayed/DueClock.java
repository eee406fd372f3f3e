package org.callhs.delayed;

import java.time.Clock;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The "now" that due times are set from and compared with. A lone instance uses its own clock
 * (tests move it). Instances of a cluster use the database's clock, inside the statement that
 * sets or compares the due time, so that a restart acknowledged by one instance is never fired
 * early by another whose clock runs ahead. The JVM's clock still says when to look
 * ({@link #estimate}); the database decides what is due.
 */
final class DueClock {
    /** Milliseconds since the epoch at the start of the statement, on PostgreSQL's clock. */
    private static final Field<Long> DATABASE_NOW =
            DSL.field("CAST(EXTRACT(EPOCH FROM statement_timestamp()) * 1000 AS BIGINT)", SQLDataType.BIGINT);

    private final Clock clock;
    private final boolean databaseTime;

    DueClock(Clock clock, boolean databaseTime) {
        this.clock = clock;
        this.databaseTime = databaseTime;
    }

    /** Now, as a value of the statement that uses it. */
    Field<Long> now() {
        return databaseTime ? DATABASE_NOW : DSL.val(clock.millis());
    }

    /** This process's idea of now: when to wake, and timestamps nothing is compared with. */
    long estimate() {
        return clock.millis();
    }
}
