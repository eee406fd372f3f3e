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
        MediaStorage.Blob blob = storage.get(item.storageKey())
                .orElseThrow(() -> new MatrixException(ErrCode.NOT_FOUND, 404, "The media's file is missing"));
        String type = servedType(item.contentType());
        String name = pathFileName != null && !pathFileName.isEmpty() ? pathFileName : item.uploadName();
        return ApiResponse.raw(200, new BlobBody(type, blob), MediaHeaders.forFile(type, name));
    }

    ApiResponse thumbnail(Thumbnails.Choice choice) {
        return ApiResponse.raw(200, new BlobBody(servedType(choice.contentType()), choice.blob()), MediaHeaders.forThumbnail());
    }

    /** The uploaded type, with a UTF-8 charset added to text types that name none (which the spec allows). */
    static String servedType(String contentType) {
        String type = contentType == null || contentType.isBlank() ? "application/octet-stream" : contentType;
        String lower = type.toLowerCase(Locale.ROOT);
        if (lower.startsWith("text/") && !lower.contains("charset")) return type + "; charset=UTF-8";
        return type;
    }

    /** A stored blob as a response body. */
    record BlobBody(String contentType, MediaStorage.Blob blob) implements RawBody {
        @Override
        public long length() { return blob.length(); }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            try (InputStream in = blob.open()) {
                in.transferTo(out);
            }
        }
    }
}
