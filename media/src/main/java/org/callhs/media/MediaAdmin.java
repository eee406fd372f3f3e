package org.callhs.media;

import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.storage.Database;

/** Quarantine and deletion of media, for admins (the HTTP admin API and the command line). */
final class MediaAdmin {
    private final String serverName;
    private final Database database;
    private final MediaRepository repository;
    private final MediaRemover remover;

    MediaAdmin(String serverName, Database database, MediaRepository repository, MediaRemover remover) {
        this.serverName = serverName;
        this.database = database;
        this.repository = repository;
        this.remover = remover;
    }

    /** Quarantines ({@code by} an admin) or releases ({@code by} null) an item; 404 when unknown. */
    void quarantine(String mediaServer, String mediaId, String by) {
        MediaIds.check(mediaServer, mediaId);
        boolean found = database.transaction(tx -> repository.setQuarantined(tx, mediaServer, mediaId, by));
        if (!found) throw MatrixException.notFound("Unknown media");
    }

    /** Deletes a local item with its file and thumbnails. */
    void delete(String mediaServer, String mediaId) {
        MediaIds.check(mediaServer, mediaId);
        if (!serverName.equals(mediaServer)) throw new MatrixException(ErrCode.UNKNOWN, 400, "Can only delete local media");
        MediaItem item = repository.find(database.dsl(), mediaServer, mediaId).orElseThrow(() -> MatrixException.notFound("Unknown media"));
        remover.remove(item);
    }
}
