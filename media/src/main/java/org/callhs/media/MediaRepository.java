package org.callhs.media;

import static org.callhs.media.schema.Tables.MEDIA;
import static org.callhs.media.schema.Tables.MEDIA_THUMBNAILS;

import java.util.List;
import java.util.Optional;
import org.callhs.media.schema.tables.records.MediaRecord;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** Statements on {@code media} and {@code media_thumbnails}; the caller owns the transaction. */
final class MediaRepository {
    /** A new local item: stored at once ({@code stored} non-null) or pending an asynchronous upload. */
    void insertLocal(DSLContext tx, String serverName, String mediaId, String uploader, String contentType, String uploadName,
                     MediaStorage.Stored stored, long now, Long unusedExpiresTs, boolean authenticated) {
        tx.insertInto(MEDIA)
                .set(MEDIA.SERVER_NAME, serverName)
                .set(MEDIA.MEDIA_ID, mediaId)
                .set(MEDIA.UPLOADER, uploader)
                .set(MEDIA.CONTENT_TYPE, contentType)
                .set(MEDIA.UPLOAD_NAME, uploadName)
                .set(MEDIA.SIZE_BYTES, stored == null ? null : stored.size())
                .set(MEDIA.SHA256, stored == null ? null : stored.sha256())
                .set(MEDIA.STORAGE_KEY, stored == null ? null : stored.key())
                .set(MEDIA.CREATED_TS, now)
                .set(MEDIA.UPLOAD_TS, stored == null ? null : now)
                .set(MEDIA.UNUSED_EXPIRES_TS, unusedExpiresTs)
                .set(MEDIA.AUTHENTICATED, authenticated)
                .execute();
    }

    /** A copy of another server's media; false when another request stored it first. */
    boolean insertRemote(DSLContext tx, String serverName, String mediaId, String contentType, String uploadName,
                         MediaStorage.Stored stored, long now, boolean authenticated) {
        return tx.insertInto(MEDIA)
                .set(MEDIA.SERVER_NAME, serverName)
                .set(MEDIA.MEDIA_ID, mediaId)
                .set(MEDIA.CONTENT_TYPE, contentType)
                .set(MEDIA.UPLOAD_NAME, uploadName)
                .set(MEDIA.SIZE_BYTES, stored.size())
                .set(MEDIA.SHA256, stored.sha256())
                .set(MEDIA.STORAGE_KEY, stored.key())
                .set(MEDIA.CREATED_TS, now)
                .set(MEDIA.UPLOAD_TS, now)
                .set(MEDIA.AUTHENTICATED, authenticated)
                .set(MEDIA.LAST_ACCESS_TS, now)
                .onConflictDoNothing()
                .execute() == 1;
    }

    /** Completes a pending upload; false when it was completed already (or is gone). */
    boolean completePending(DSLContext tx, String serverName, String mediaId, String contentType, String uploadName,
                            MediaStorage.Stored stored, long now) {
        return tx.update(MEDIA)
                .set(MEDIA.CONTENT_TYPE, contentType)
                .set(MEDIA.UPLOAD_NAME, uploadName)
                .set(MEDIA.SIZE_BYTES, stored.size())
                .set(MEDIA.SHA256, stored.sha256())
                .set(MEDIA.STORAGE_KEY, stored.key())
                .set(MEDIA.UPLOAD_TS, now)
                .setNull(MEDIA.UNUSED_EXPIRES_TS)
                .where(MEDIA.SERVER_NAME.eq(serverName), MEDIA.MEDIA_ID.eq(mediaId), MEDIA.UPLOAD_TS.isNull())
                .execute() == 1;
    }

    Optional<MediaItem> find(DSLContext tx, String serverName, String mediaId) {
        return tx.selectFrom(MEDIA).where(MEDIA.SERVER_NAME.eq(serverName), MEDIA.MEDIA_ID.eq(mediaId))
                .fetchOptional().map(MediaRepository::parse);
    }

    /** How many unexpired pending IDs the user holds. */
    int pendingOf(DSLContext tx, String uploader, long now) {
        return tx.fetchCount(MEDIA, MEDIA.UPLOADER.eq(uploader), MEDIA.UPLOAD_TS.isNull(), MEDIA.UNUSED_EXPIRES_TS.gt(now));
    }

    /** Bytes of local media the user has stored. */
    long storedBytesOf(DSLContext tx, String uploader) {
        Long sum = tx.select(DSL.sum(MEDIA.SIZE_BYTES).cast(Long.class)).from(MEDIA)
                .where(MEDIA.UPLOADER.eq(uploader), MEDIA.UPLOAD_TS.isNotNull()).fetchOne(0, Long.class);
        return sum == null ? 0 : sum;
    }

    /** When the user's first unused ID expires, or null when they hold none. */
    Long firstPendingExpiry(DSLContext tx, String uploader, long now) {
        return tx.select(DSL.min(MEDIA.UNUSED_EXPIRES_TS)).from(MEDIA)
                .where(MEDIA.UPLOADER.eq(uploader), MEDIA.UPLOAD_TS.isNull(), MEDIA.UNUSED_EXPIRES_TS.gt(now)).fetchOne(0, Long.class);
    }

    /** Media this server fetched itself (URL previews: local, no uploader) stored before {@code cutoff}. */
    List<MediaItem> fetchedBefore(DSLContext tx, String localServer, long cutoff, int limit) {
        return tx.selectFrom(MEDIA).where(MEDIA.SERVER_NAME.eq(localServer), MEDIA.UPLOADER.isNull(), MEDIA.CREATED_TS.lt(cutoff))
                .orderBy(MEDIA.CREATED_TS).limit(limit).fetch(MediaRepository::parse);
    }

    /** Pending IDs whose time ran out; they are deleted (nothing was stored for them). */
    int deleteExpiredPending(DSLContext tx, long now) {
        return tx.deleteFrom(MEDIA).where(MEDIA.UPLOAD_TS.isNull(), MEDIA.UNUSED_EXPIRES_TS.le(now)).execute();
    }

    void touch(DSLContext tx, String serverName, String mediaId, long now) {
        tx.update(MEDIA).set(MEDIA.LAST_ACCESS_TS, now)
                .where(MEDIA.SERVER_NAME.eq(serverName), MEDIA.MEDIA_ID.eq(mediaId)).execute();
    }

    /** Marks an item quarantined (or releases it with {@code by} null); false when there is no such item. */
    boolean setQuarantined(DSLContext tx, String serverName, String mediaId, String by) {
        return tx.update(MEDIA).set(MEDIA.QUARANTINED_BY, by)
                .where(MEDIA.SERVER_NAME.eq(serverName), MEDIA.MEDIA_ID.eq(mediaId)).execute() == 1;
    }

    /** Deletes an item's row and its thumbnails' rows. */
    void delete(DSLContext tx, String serverName, String mediaId) {
        tx.deleteFrom(MEDIA_THUMBNAILS)
                .where(MEDIA_THUMBNAILS.SERVER_NAME.eq(serverName), MEDIA_THUMBNAILS.MEDIA_ID.eq(mediaId)).execute();
        tx.deleteFrom(MEDIA).where(MEDIA.SERVER_NAME.eq(serverName), MEDIA.MEDIA_ID.eq(mediaId)).execute();
    }

    /** Bytes of remote copies held. */
    long remoteBytes(DSLContext tx, String localServer) {
        Long sum = tx.select(DSL.sum(MEDIA.SIZE_BYTES).cast(Long.class)).from(MEDIA)
                .where(MEDIA.SERVER_NAME.ne(localServer)).fetchOne(0, Long.class);
        return sum == null ? 0 : sum;
    }

    /** Remote copies that are not quarantined (a quarantined row must stay, or the item would be fetched again), least recently served first. */
    List<MediaItem> remoteByLastAccess(DSLContext tx, String localServer, int limit) {
        return tx.selectFrom(MEDIA).where(MEDIA.SERVER_NAME.ne(localServer), MEDIA.QUARANTINED_BY.isNull())
                .orderBy(MEDIA.LAST_ACCESS_TS.asc().nullsFirst(), MEDIA.MEDIA_ID)
                .limit(limit).fetch(MediaRepository::parse);
    }

    List<Thumbnail> thumbnailsOf(DSLContext tx, String serverName, String mediaId) {
        return tx.selectFrom(MEDIA_THUMBNAILS)
                .where(MEDIA_THUMBNAILS.SERVER_NAME.eq(serverName), MEDIA_THUMBNAILS.MEDIA_ID.eq(mediaId))
                .fetch(r -> new Thumbnail(r.getWidth(), r.getHeight(), r.getMethod(), r.getReqWidth(), r.getReqHeight(),
                        r.getContentType(), r.getSizeBytes(), r.getStorageKey()));
    }

    /** Records a thumbnail; false when one for the same request size and method exists already. */
    boolean insertThumbnail(DSLContext tx, String serverName, String mediaId, Thumbnail t, long now) {
        return tx.insertInto(MEDIA_THUMBNAILS)
                .set(MEDIA_THUMBNAILS.SERVER_NAME, serverName)
                .set(MEDIA_THUMBNAILS.MEDIA_ID, mediaId)
                .set(MEDIA_THUMBNAILS.WIDTH, t.width())
                .set(MEDIA_THUMBNAILS.HEIGHT, t.height())
                .set(MEDIA_THUMBNAILS.METHOD, t.method())
                .set(MEDIA_THUMBNAILS.REQ_WIDTH, t.reqWidth())
                .set(MEDIA_THUMBNAILS.REQ_HEIGHT, t.reqHeight())
                .set(MEDIA_THUMBNAILS.CONTENT_TYPE, t.contentType())
                .set(MEDIA_THUMBNAILS.SIZE_BYTES, t.size())
                .set(MEDIA_THUMBNAILS.STORAGE_KEY, t.storageKey())
                .set(MEDIA_THUMBNAILS.CREATED_TS, now)
                .onConflictDoNothing()
                .execute() == 1;
    }

    private static MediaItem parse(MediaRecord r) {
        return new MediaItem(r.getServerName(), r.getMediaId(), r.getUploader(), r.getContentType(), r.getUploadName(),
                r.getSizeBytes(), r.getSha256(), r.getStorageKey(), r.getCreatedTs(), r.getUploadTs(), r.getUnusedExpiresTs(),
                Boolean.TRUE.equals(r.getAuthenticated()), r.getQuarantinedBy());
    }
}
