package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.CONTENT_REPORTS;

import org.jooq.DSLContext;

/** Statements on {@code content_reports}. */
public final class ContentReportRepository {
    public void insert(DSLContext tx, String reportId, String reporter, String roomId, String eventId, String reason, Long score, long now) {
        tx.insertInto(CONTENT_REPORTS)
                .set(CONTENT_REPORTS.REPORT_ID, reportId)
                .set(CONTENT_REPORTS.REPORTER, reporter)
                .set(CONTENT_REPORTS.ROOM_ID, roomId)
                .set(CONTENT_REPORTS.EVENT_ID, eventId)
                .set(CONTENT_REPORTS.REASON, reason)
                .set(CONTENT_REPORTS.SCORE, score)
                .set(CONTENT_REPORTS.RECEIVED_TS, now)
                .execute();
    }

    public int count(DSLContext dsl, String roomId) {
        return dsl.fetchCount(CONTENT_REPORTS, CONTENT_REPORTS.ROOM_ID.eq(roomId));
    }
}
