package org.callhs.media;

import java.time.Clock;
import org.callhs.core.error.MatrixException;
import org.callhs.core.storage.Database;

/**
 * Finds the stored item an {@code mxc://} URI names: this server's own (waiting for a pending
 * upload) or another server's (from the cache, fetched when missing). Quarantined items are
 * 404 {@code M_NOT_FOUND} unless an admin asks to see them.
 */
final class MediaLookup {
    private final LocalMedia local;
    private final RemoteMediaCache remote;
    private final Database database;
    private final MediaRepository repository;
    private final Clock clock;

    MediaLookup(LocalMedia local, RemoteMediaCache remote, Database database, MediaRepository repository, Clock clock) {
        this.local = local;
        this.remote = remote;
        this.database = database;
        this.repository = repository;
        this.clock = clock;
    }

    boolean isLocal(String serverName) { return local.serverName().equals(serverName); }

    /**
     * @param allowRemote false: another server's media is served only when cached already
     * @param bypassQuarantine an admin's request to see quarantined media
     */
    MediaItem stored(String serverName, String mediaId, long timeoutMs, boolean allowRemote, boolean bypassQuarantine) {
        MediaIds.check(serverName, mediaId);
        if (isLocal(serverName)) {
            return local.awaitStored(mediaId, timeoutMs, bypassQuarantine);
        }
        MediaItem item = allowRemote ? remote.get(serverName, mediaId)
                : remote.cached(serverName, mediaId).orElseThrow(() -> MatrixException.notFound("Media not found"));
        if (item.quarantined() && !bypassQuarantine) throw MatrixException.notFound("Media not found");
        repository.touch(database.dsl(), serverName, mediaId, clock.millis());
        return item;
    }
}
