package org.callhs.media;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.RawBody;

/** Media and thumbnails as responses: the bytes streamed from storage, with {@link MediaHeaders}. */
final class MediaResponses {
    private final MediaStorage storage;

    MediaResponses(MediaStorage storage) {
        this.storage = storage;
    }

    /** A stored item, named {@code pathFileName} when the request gave one, else by its upload name. */
    ApiResponse file(MediaItem item, String pathFileName) {
        String type = servedType(item.contentType());
        String name = pathFileName != null && !pathFileName.isEmpty() ? pathFileName : item.uploadName();
        return ApiResponse.raw(200, open(type, item.storageKey()), MediaHeaders.forFile(type, name));
    }

    ApiResponse thumbnail(Thumbnails.Choice choice) {
        return ApiResponse.raw(200, open(servedType(choice.contentType()), choice.blob()), MediaHeaders.forThumbnail());
    }

    /** The blob under {@code key}, opened now: one deleted since it was looked up is 404, never a cut-off 200. */
    StreamBody open(String contentType, String key) {
        return open(contentType, storage.get(key).orElseThrow(() -> MatrixException.notFound("Media not found")));
    }

    static StreamBody open(String contentType, MediaStorage.Blob blob) {
        try {
            // Once open, the file stays readable even if it is deleted (evicted, deleted by an admin) meanwhile.
            return new StreamBody(contentType, blob.length(), blob.open());
        } catch (java.nio.file.NoSuchFileException e) {
            throw MatrixException.notFound("Media not found");
        } catch (IOException e) {
            throw new MatrixException(ErrCode.UNKNOWN, 500, "The media's file cannot be read: " + e.getMessage());
        }
    }

    /** The uploaded type, with a UTF-8 charset added to text types that name none (which the spec allows). */
    static String servedType(String contentType) {
        String type = contentType == null || contentType.isBlank() ? "application/octet-stream" : contentType;
        String lower = type.toLowerCase(Locale.ROOT);
        if (lower.startsWith("text/") && !lower.contains("charset")) return type + "; charset=UTF-8";
        return type;
    }

    /** An opened file as a response body. */
    record StreamBody(String contentType, long length, InputStream in) implements RawBody {
        @Override
        public void writeTo(OutputStream out) throws IOException {
            in.transferTo(out);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
