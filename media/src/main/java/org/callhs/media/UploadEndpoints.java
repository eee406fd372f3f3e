package org.callhs.media;

import java.util.List;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * POST /_matrix/media/v3/upload
 * Uploads a file in one request: streamed to storage, never held in memory, refused with 413
 * {@code M_TOO_LARGE} as soon as it passes {@code max_upload_size}.
 * https://spec.matrix.org/v1.16/client-server-api/#post_matrixmediav3upload
 *
 * POST /_matrix/media/v1/create
 * Hands out a media ID for a later upload (at most {@code max_pending_uploads} unused per user).
 * https://spec.matrix.org/v1.16/client-server-api/#post_matrixmediav1create
 *
 * PUT /_matrix/media/v3/upload/{serverName}/{mediaId}
 * Uploads to an ID from {@code /create}: only its creator, once (409 {@code M_CANNOT_OVERWRITE_MEDIA}
 * after, checked before the body is read).
 * https://spec.matrix.org/v1.16/client-server-api/#put_matrixmediav3uploadservernamemediaid
 */
final class UploadEndpoints implements Routes {
    static final String UPLOAD_LIMIT = "media_upload";
    static final String CREATE_LIMIT = "media_create";
    private static final List<String> UPLOAD_PREFIXES = List.of("/_matrix/media/r0", "/_matrix/media/v3", "/_matrix/media/v1");

    private final LocalMedia local;

    UploadEndpoints(LocalMedia local) {
        this.local = local;
    }

    @Override
    public List<Endpoint> endpoints() {
        List<Endpoint> all = new java.util.ArrayList<>();
        for (String prefix : UPLOAD_PREFIXES) {
            all.add(new Endpoint("POST", prefix + "/upload", AuthKind.USER, UPLOAD_LIMIT, this::upload).streaming());
        }
        all.add(new Endpoint("PUT", "/_matrix/media/v3/upload/{serverName}/{mediaId}", AuthKind.USER, UPLOAD_LIMIT, this::uploadTo)
                .streaming());
        all.add(new Endpoint("POST", "/_matrix/media/v1/create", AuthKind.USER, CREATE_LIMIT, this::create));
        return all;
    }

    private ApiResponse upload(ApiRequest request) {
        String name = MediaParams.uploadName(request);
        String type = MediaParams.uploadType(request);
        MediaItem item = local.upload(request.requester().userId(), type, name, request.bodyStream(), MediaParams.declaredLength(request));
        return ApiResponse.ok(Json.object().put("content_uri", item.mxc()));
    }

    private ApiResponse uploadTo(ApiRequest request) {
        String serverName = request.path("serverName");
        String mediaId = request.path("mediaId");
        MediaIds.check(serverName, mediaId);
        String name = MediaParams.uploadName(request);
        String type = MediaParams.uploadType(request);
        local.uploadTo(request.requester().userId(), serverName, mediaId, type, name, request.bodyStream(),
                MediaParams.declaredLength(request));
        return ApiResponse.empty();
    }

    private ApiResponse create(ApiRequest request) {
        MediaItem item = local.create(request.requester().userId());
        return ApiResponse.ok(Json.object().put("content_uri", item.mxc()).put("unused_expires_at", item.unusedExpiresTs()));
    }
}
