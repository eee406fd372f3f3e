package org.callhs.media;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.storage.Database;

/**
 * This server's own media: uploads in one request, IDs handed out ahead of an asynchronous
 * upload and the upload that fills them, and the wait of a download for a pending upload.
 * Bytes are stored before the row that makes them visible is written, so a failed or cut-off
 * upload is never served; a second upload to the same ID loses at the row's update and its
 * bytes are dropped.
 */
final class LocalMedia {
    /** What a new upload becomes once stored: image thumbnails are made after the answer. */
    interface Stored {
        void accept(MediaItem item);
    }

    private final String serverName;
    private final Database database;
    private final MediaRepository repository;
    private final MediaStorage storage;
    private final MediaQuota quota;
    private final MediaConfig config;
    private final Clock clock;
    private final Stored afterStore;
    private final ReentrantLock uploadsLock = new ReentrantLock();
    private final Condition uploaded = uploadsLock.newCondition();

    LocalMedia(String serverName, Database database, MediaRepository repository, MediaStorage storage, MediaQuota quota,
               MediaConfig config, Clock clock, Stored afterStore) {
        this.serverName = serverName;
        this.database = database;
        this.repository = repository;
        this.storage = storage;
        this.quota = quota;
        this.config = config;
        this.clock = clock;
        this.afterStore = afterStore;
    }

    String serverName() { return serverName; }

    /** {@code POST /upload}: stores the body and answers the new item. */
    MediaItem upload(String userId, String contentType, String uploadName, InputStream body, long declaredLength) {
        checkDeclaredLength(userId, declaredLength);
        return insertStored(userId, contentType, uploadName, store(body), config.enableAuthenticatedMedia());
    }

    /** Makes stored bytes a new local item (checking the uploader's quota), or drops them if that fails. */
    private MediaItem insertStored(String uploader, String contentType, String uploadName, MediaStorage.Stored stored,
                                   boolean authenticated) {
        String mediaId = MediaIds.generate();
        try {
            database.transaction(tx -> {
                if (uploader != null) quota.check(tx, uploader, stored.size());
                repository.insertLocal(tx, serverName, mediaId, uploader, contentType, uploadName, stored, clock.millis(), null,
                        authenticated);
                return null;
            });
        } catch (RuntimeException e) {
            storage.delete(stored.key());
            throw e;
        }
        MediaItem item = find(mediaId).orElseThrow();
        afterStore.accept(item);
        return item;
    }

    /**
     * A file this server fetched itself (a URL preview's image): stored as local media with no
     * uploader, so it is served like any other; at most {@code maxBytes} (502 {@code M_TOO_LARGE} beyond).
     */
    MediaItem storeFetched(String contentType, String uploadName, InputStream body, long maxBytes) {
        MediaStorage.Stored stored;
        try {
            stored = storage.store(body, Math.min(maxBytes, config.maxUploadSize()));
        } catch (MediaStorage.TooLarge e) {
            throw new MatrixException(ErrCode.TOO_LARGE, 502, "The image is larger than " + Math.min(maxBytes, config.maxUploadSize()) + " bytes");
        } catch (IOException e) {
            throw new MatrixException(ErrCode.UNKNOWN, 502, "Failed to fetch the image: " + e.getMessage());
        }
        return insertStored(null, contentType, uploadName, stored, true);
    }

    /** {@code POST /create}: a media ID for a later upload, or 429 when the user holds too many unused ones. */
    MediaItem create(String userId) {
        long now = clock.millis();
        String mediaId = MediaIds.generate();
        database.transaction(tx -> {
            if (repository.pendingOf(tx, userId, now) >= config.maxPendingUploads()) {
                Long first = repository.firstPendingExpiry(tx, userId, now);
                long retryAfter = Math.max(1, (first == null ? now + config.unusedExpirationMs() : first) - now);
                throw new MatrixException(ErrCode.LIMIT_EXCEEDED, 429, "You have " + config.maxPendingUploads()
                        + " unused media IDs already: upload to them, or wait for them to expire",
                        Map.of("retry_after_ms", retryAfter), Map.of("Retry-After", Long.toString((retryAfter + 999) / 1000)));
            }
            repository.insertLocal(tx, serverName, mediaId, userId, null, null, null, now, now + config.unusedExpirationMs(),
                    config.enableAuthenticatedMedia());
            return null;
        });
        return find(mediaId).orElseThrow();
    }

    /** {@code PUT /upload/{serverName}/{mediaId}}: fills an ID from {@code /create}, once, by its creator. */
    MediaItem uploadTo(String userId, String mediaServer, String mediaId, String contentType, String uploadName,
                       InputStream body, long declaredLength) {
        if (!serverName.equals(mediaServer)) throw MatrixException.notFound("Media IDs of other servers cannot be uploaded to here");
        MediaItem pending = find(mediaId).filter(item -> item.uploadTs() != null || !expired(item))
                .orElseThrow(() -> MatrixException.notFound("No such media ID, or it expired unused"));
        if (!userId.equals(pending.uploader())) throw MatrixException.forbidden("Only the creator of a media ID may upload to it");
        if (pending.uploadTs() != null) throw cannotOverwrite();
        checkDeclaredLength(userId, declaredLength);
        MediaStorage.Stored stored = store(body);
        boolean won;
        try {
            won = database.transaction(tx -> {
                quota.check(tx, userId, stored.size());
                return repository.completePending(tx, serverName, mediaId, contentType, uploadName, stored, clock.millis());
            });
        } catch (RuntimeException e) {
            storage.delete(stored.key());
            throw e;
        }
        if (!won) {
            storage.delete(stored.key());
            // Another upload won, or the ID expired and was dropped while this one was arriving.
            if (find(mediaId).isEmpty()) throw MatrixException.notFound("The media ID expired while its upload was arriving");
            throw cannotOverwrite();
        }
        uploadsLock.lock();
        try {
            uploaded.signalAll();
        } finally {
            uploadsLock.unlock();
        }
        MediaItem item = find(mediaId).orElseThrow();
        afterStore.accept(item);
        return item;
    }

    /**
     * A local item ready to serve: 404 when unknown, quarantined or expired unused; while its
     * upload is pending, waits up to {@code timeoutMs}, then 504 {@code M_NOT_YET_UPLOADED}.
     */
    MediaItem awaitStored(String mediaId, long timeoutMs, boolean bypassQuarantine) {
        long deadline = clock.millis() + timeoutMs;
        while (true) {
            MediaItem item = find(mediaId).orElseThrow(() -> MatrixException.notFound("Media not found"));
            if (item.quarantined() && !bypassQuarantine) throw MatrixException.notFound("Media not found");
            if (item.stored()) return item;
            if (expired(item)) throw MatrixException.notFound("Media not found");
            long left = deadline - clock.millis();
            if (left <= 0) {
                throw new MatrixException("M_NOT_YET_UPLOADED", 504, "The media has not been uploaded yet");
            }
            // Woken by an upload on this instance; another instance's upload is seen at the next look.
            // A Lock, not a monitor: a virtual thread waiting here does not hold its carrier.
            uploadsLock.lock();
            try {
                uploaded.await(Math.min(left, 500), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MatrixException("M_NOT_YET_UPLOADED", 504, "The media has not been uploaded yet");
            } finally {
                uploadsLock.unlock();
            }
        }
    }

    Optional<MediaItem> find(String mediaId) {
        return repository.find(database.dsl(), serverName, mediaId);
    }

    /** Drops IDs from {@code /create} that were never uploaded to. */
    int expireUnused() {
        return database.transaction(tx -> repository.deleteExpiredPending(tx, clock.millis()));
    }

    private boolean expired(MediaItem item) {
        return item.uploadTs() == null && item.unusedExpiresTs() != null && item.unusedExpiresTs() <= clock.millis();
    }

    private void checkDeclaredLength(String userId, long declaredLength) {
        if (declaredLength > config.maxUploadSize()) throw tooLarge();
        if (declaredLength > 0) quota.check(database.dsl(), userId, declaredLength);
    }

    private MediaStorage.Stored store(InputStream body) {
        try {
            return storage.store(new ClientBody(body), config.maxUploadSize());
        } catch (MediaStorage.TooLarge e) {
            drain(body);
            throw tooLarge();
        } catch (ClientBody.Failed e) {
            // The client went away or stalled mid-upload: nothing was stored.
            throw new MatrixException(ErrCode.UNKNOWN, 400, "The upload ended before its body was complete: " + e.getMessage(),
                    Map.of(), Map.of("Connection", "close"));
        } catch (IOException e) {
            // This server's disk failed: nothing was stored either.
            throw new MatrixException(ErrCode.UNKNOWN, 500, "The upload could not be stored: " + e.getMessage());
        }
    }

    /** The request body, telling a failure to read it (the client's) from one to write it (the disk's). */
    private static final class ClientBody extends java.io.FilterInputStream {
        static final class Failed extends IOException {
            Failed(IOException cause) { super(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage(), cause); }
        }

        ClientBody(InputStream in) { super(in); }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw new Failed(e);
            } catch (RuntimeException e) {
                // Jetty reports a malformed (chunked) body as an unchecked exception.
                throw new Failed(new IOException(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e));
            }
        }
    }

    /** How much more of a refused upload is read and dropped before the answer. */
    private static final int DRAIN_BYTES = 1 << 20;

    /**
     * Reads and drops up to {@value #DRAIN_BYTES} more bytes of an upload refused while it
     * streamed, so that a client still sending its last bytes reads the 413 instead of a reset
     * connection (a close with unread data makes the kernel reset it, and a client that is still
     * writing then loses the answer); a longer body is cut off as before.
     */
    private static void drain(InputStream body) {
        byte[] buffer = new byte[64 * 1024];
        long left = DRAIN_BYTES;
        try {
            for (int n; left > 0 && (n = body.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0; ) left -= n;
        } catch (IOException | RuntimeException e) {
            // The client is gone or the body is malformed: nothing more to drop.
        }
    }

    private MatrixException tooLarge() {
        // The rest of the body stays unread, so the connection cannot be reused: say so.
        return new MatrixException(ErrCode.TOO_LARGE, 413, "Uploads are limited to " + config.maxUploadSize() + " bytes",
                Map.of(), Map.of("Connection", "close"));
    }

    private static MatrixException cannotOverwrite() {
        return new MatrixException("M_CANNOT_OVERWRITE_MEDIA", 409, "Media already uploaded");
    }
}
