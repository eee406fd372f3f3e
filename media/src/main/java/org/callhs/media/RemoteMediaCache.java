package org.callhs.media;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.spi.RemoteServers;
import org.callhs.core.storage.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Other servers' media, fetched over federation on first use and kept here: concurrent
 * requests for one item share a single fetch, a file beyond {@code max_upload_size} is refused
 * as it streams in (502 {@code M_TOO_LARGE}), and when the copies together pass
 * {@code remote_cache_max_size} the least recently served are deleted.
 */
final class RemoteMediaCache {
    private static final Logger log = LoggerFactory.getLogger(RemoteMediaCache.class);

    private final String localServer;
    private final Database database;
    private final MediaRepository repository;
    private final MediaStorage storage;
    private final MediaRemover remover;
    private final Supplier<RemoteServers> remote;
    private final MediaConfig config;
    private final Clock clock;
    private final SingleFlight<MediaItem> inFlight = new SingleFlight<>();

    RemoteMediaCache(String localServer, Database database, MediaRepository repository, MediaStorage storage,
                     MediaRemover remover, Supplier<RemoteServers> remote, MediaConfig config, Clock clock) {
        this.remover = remover;
        this.localServer = localServer;
        this.database = database;
        this.repository = repository;
        this.storage = storage;
        this.remote = remote;
        this.config = config;
        this.clock = clock;
    }

    /** The cached copy, if there is one (quarantined copies count: they are never fetched again). */
    java.util.Optional<MediaItem> cached(String serverName, String mediaId) {
        return repository.find(database.dsl(), serverName, mediaId);
    }

    /**
     * The item, fetched from its server unless cached. The fetch waits {@code remote_timeout_ms}
     * for the other server whatever the first requester's {@code timeout_ms}, since concurrent
     * requests share it.
     */
    MediaItem get(String serverName, String mediaId) {
        MediaItem cached = cached(serverName, mediaId).orElse(null);
        if (cached != null) return cached;
        return inFlight.run(serverName + "/" + mediaId, () -> fetch(serverName, mediaId));
    }

    private MediaItem fetch(String serverName, String mediaId) {
        MediaStorage.Stored[] stored = new MediaStorage.Stored[1];
        String[] meta = new String[2];
        try {
            remote.get().fetchMedia(serverName, mediaId, config.remoteTimeoutMs(), (contentType, disposition, body) -> {
                meta[0] = contentType;
                meta[1] = MediaHeaders.fileNameOf(disposition);
                stored[0] = storage.store(body, config.maxUploadSize());
            });
        } catch (MediaStorage.TooLarge e) {
            throw new MatrixException(ErrCode.TOO_LARGE, 502, "The remote media is larger than this server's limit of "
                    + config.maxUploadSize() + " bytes");
        } catch (IOException | RuntimeException e) {
            // The file may be stored already (the failure came after the body): it is dropped.
            if (stored[0] != null) storage.delete(stored[0].key());
            if (e instanceof MatrixException m) throw m;
            throw new MatrixException(ErrCode.UNKNOWN, 502, "Failed to fetch remote media: " + e.getMessage());
        }
        if (stored[0] == null) throw new MatrixException(ErrCode.UNKNOWN, 502, "The remote server sent no media");
        String contentType = meta[0] == null || meta[0].isBlank() ? "application/octet-stream" : meta[0];
        boolean inserted;
        try {
            inserted = database.transaction(tx ->
                    repository.insertRemote(tx, serverName, mediaId, contentType, meta[1], stored[0], clock.millis(),
                            config.enableAuthenticatedMedia()));
        } catch (RuntimeException e) {
            storage.delete(stored[0].key());
            throw e;
        }
        if (!inserted) storage.delete(stored[0].key()); // another instance stored it meanwhile
        evictBeyondCap(serverName, mediaId);
        return cached(serverName, mediaId).orElseThrow(() -> MatrixException.notFound("Media not found"));
    }

    /** Deletes the least recently served copies (never the one just fetched) until the cache fits its cap. */
    void evictBeyondCap(String keepServer, String keepMediaId) {
        long total = repository.remoteBytes(database.dsl(), localServer);
        while (total > config.remoteCacheMaxSize()) {
            List<MediaItem> oldest = repository.remoteByLastAccess(database.dsl(), localServer, 50).stream()
                    .filter(item -> !(item.serverName().equals(keepServer) && item.mediaId().equals(keepMediaId))).toList();
            if (oldest.isEmpty()) return;
            for (MediaItem item : oldest) {
                if (total <= config.remoteCacheMaxSize()) return;
                remover.remove(item);
                total -= item.size() == null ? 0 : item.size();
                log.debug("evicted remote media {}", item.mxc());
            }
        }
    }
}
