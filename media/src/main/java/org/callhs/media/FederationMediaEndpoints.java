package org.callhs.media;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.http.RawBody;
import org.callhs.core.spi.Routes;

/**
 * GET /_matrix/federation/v1/media/download/{mediaId}
 * One of this server's files for another server: {@code multipart/mixed} with two parts, the
 * metadata ({@code {}}) and the file with its {@code Content-Type} and {@code Content-Disposition}.
 * Only local media is served (never a cached copy of a third server's); a pending upload is
 * waited for up to {@code timeout_ms}.
 * https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1mediadownloadmediaid
 *
 * GET /_matrix/federation/v1/media/thumbnail/{mediaId}
 * The same for a thumbnail, chosen exactly as for this server's clients (so both get the same bytes).
 * https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1mediathumbnailmediaid
 */
final class FederationMediaEndpoints implements Routes {
    private final MediaLookup lookup;
    private final Thumbnails thumbnails;
    private final MediaResponses responses;
    private final String serverName;

    FederationMediaEndpoints(String serverName, MediaLookup lookup, Thumbnails thumbnails, MediaResponses responses) {
        this.serverName = serverName;
        this.lookup = lookup;
        this.thumbnails = thumbnails;
        this.responses = responses;
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(
                new Endpoint("GET", "/_matrix/federation/v1/media/download/{mediaId}", AuthKind.SERVER, null,
                        this::download),
                new Endpoint("GET", "/_matrix/federation/v1/media/thumbnail/{mediaId}", AuthKind.SERVER, null,
                        this::thumbnail));
    }

    private ApiResponse download(ApiRequest request) {
        MediaItem item = lookup.stored(serverName, request.path("mediaId"), MediaParams.timeoutMs(request), false, false);
        String type = MediaResponses.servedType(item.contentType());
        return multipart(type, MediaHeaders.disposition(type, item.uploadName()), responses.open(type, item.storageKey()));
    }

    private ApiResponse thumbnail(ApiRequest request) {
        MediaParams.ThumbnailRequest size = MediaParams.thumbnail(request);
        MediaItem item = lookup.stored(serverName, request.path("mediaId"), MediaParams.timeoutMs(request), false, false);
        Thumbnails.Choice choice = thumbnails.choose(item, size.width(), size.height(), size.method(), size.animated());
        String type = MediaResponses.servedType(choice.contentType());
        return multipart(type, "inline", MediaResponses.open(type, choice.blob()));
    }

    private static ApiResponse multipart(String contentType, String disposition, MediaResponses.StreamBody file) {
        return ApiResponse.raw(200, new MultipartBody(contentType, disposition, file), Map.of());
    }

    /**
     * The two-part body. The boundary goes unquoted in the header (Synapse's parser takes
     * everything after {@code boundary=}), and the metadata part is plain {@code application/json}.
     */
    static final class MultipartBody implements RawBody {
        private final String boundary = UUID.randomUUID().toString().replace("-", "");
        private final byte[] head;
        private final byte[] tail;
        private final MediaResponses.StreamBody file;

        MultipartBody(String fileType, String disposition, MediaResponses.StreamBody file) {
            this.file = file;
            this.head = ("\r\n--" + boundary + "\r\nContent-Type: application/json\r\n\r\n{}\r\n--" + boundary
                    + "\r\nContent-Type: " + fileType + "\r\nContent-Disposition: " + disposition + "\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8);
            this.tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String contentType() { return "multipart/mixed; boundary=" + boundary; }

        @Override
        public long length() { return head.length + file.length() + tail.length; }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            out.write(head);
            file.writeTo(out);
            out.write(tail);
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }
}
