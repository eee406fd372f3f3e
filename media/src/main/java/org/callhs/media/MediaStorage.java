package org.callhs.media;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Where media bytes live. Blobs are immutable and named by keys the storage makes up, never
 * by anything from a request. The endpoints only see this interface, so an object store can
 * take the place of {@link LocalFileStorage} without touching them.
 */
public interface MediaStorage {
    /** A stored blob: its key, length and hex SHA-256. */
    record Stored(String key, long size, String sha256) {}

    /** A blob to read: its length, and its bytes (the caller closes the stream). */
    interface Blob {
        long length();

        InputStream open() throws IOException;
    }

    /** More than the limit arrived; nothing was stored. */
    final class TooLarge extends IOException {
        public TooLarge(long limit) { super("more than " + limit + " bytes"); }
    }

    /**
     * Copies {@code in} into a new blob, reading at most {@code maxBytes} (then {@link TooLarge}).
     * The blob exists under its key only once this returns, complete and durable: a crash
     * part-way leaves nothing readable.
     */
    Stored store(InputStream in, long maxBytes) throws IOException;

    /** The blob under {@code key}, or empty when there is none. */
    Optional<Blob> get(String key);

    /** Removes a blob (nothing happens when it is already gone). */
    void delete(String key);
}
