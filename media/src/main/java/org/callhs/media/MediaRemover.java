package org.callhs.media;

import java.util.List;
import org.callhs.core.storage.Database;

/** Removes an item for good: its rows first (then nothing serves it), then its file and thumbnails' files. */
final class MediaRemover {
    private final Database database;
    private final MediaRepository repository;
    private final MediaStorage storage;

    MediaRemover(Database database, MediaRepository repository, MediaStorage storage) {
        this.database = database;
        this.repository = repository;
        this.storage = storage;
    }

    void remove(MediaItem item) {
        List<String> thumbnailKeys = repository.thumbnailsOf(database.dsl(), item.serverName(), item.mediaId()).stream()
                .map(Thumbnail::storageKey).toList();
        database.transaction(tx -> {
            repository.delete(tx, item.serverName(), item.mediaId());
            return null;
        });
        if (item.storageKey() != null) storage.delete(item.storageKey());
        thumbnailKeys.forEach(storage::delete);
    }
}
