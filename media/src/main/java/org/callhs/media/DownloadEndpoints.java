package org.callhs.media;

import java.util.ArrayList;
import java.util.List;
import org.callhs.core.api.QueryParams;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * GET /_matrix/client/v1/media/download/{serverName}/{mediaId}[/{fileName}]
 * A file, this server's or (fetched over federation and cached) another's; waits up to
 * {@code timeout_ms} for a pending upload, then 504 {@code M_NOT_YET_UPLOADED}. Admins may add
 * {@code admin_unsafely_bypass_quarantine=true}, as on Synapse.
 * https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv1mediadownloadservernamemediaid
 *
 * GET /_matrix/client/v1/media/thumbnail/{serverName}/{mediaId}
 * A thumbnail of at least {@code width} x {@code height} ({@code method} crop or scale), never
 * upscaled; 400 {@code M_UNKNOWN} for media that has none, 413 {@code M_TOO_LARGE} for images
 * beyond {@code max_image_pixels}.
 * https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv1mediathumbnailservernamemediaid
 *
 * GET /_matrix/client/v1/media/config
 * https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv1mediaconfig
 *
 * GET /_matrix/client/v1/media/preview_url
 * An OpenGraph preview of {@code url} ({@link UrlPreviews}); {@code ts} is accepted and ignored
 * (previews are cached for {@code url_preview.cache_ms}). Off by default: then 404
 * {@code M_UNRECOGNIZED} saying so, which is what Synapse answers with previews off. 400 for a
 * missing or non-http(s) URL, 403 when its address is refused, 502/504 when it cannot be fetched.
 * https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv1mediapreview_url
 *
 * GET /_matrix/media/{r0,v3,v1}/download|thumbnail|config (deprecated, unauthenticated)
 * Served for media from before the authenticated-media freeze ({@code legacy_media_before}) or
 * when {@code enable_authenticated_media} is false; 404 {@code M_NOT_FOUND} for newer media
 * (after the pending-upload wait, as Synapse). {@code allow_remote=false} serves only cached copies.
 * https://spec.matrix.org/v1.16/client-server-api/#get_matrixmediav3downloadservernamemediaid
 */
final class DownloadEndpoints implements Routes {
    private static final List<String> LEGACY_PREFIXES = List.of("/_matrix/media/r0", "/_matrix/media/v3", "/_matrix/media/v1");
    static final String PREVIEW_LIMIT = "media_preview";
    private static final String AUTHENTICATED = "/_matrix/client/v1/media";

    private final MediaLookup lookup;
    private final Thumbnails thumbnails;
    private final MediaResponses responses;
    private final MediaConfig config;
    private final UrlPreviews previews;
    private final long legacyBefore;

    DownloadEndpoints(MediaLookup lookup, Thumbnails thumbnails, MediaResponses responses, MediaConfig config, UrlPreviews previews) {
        this.previews = previews;
        this.lookup = lookup;
        this.thumbnails = thumbnails;
        this.responses = responses;
        this.config = config;
        this.legacyBefore = config.legacyMediaBeforeMillis();
    }

    @Override
    public List<Endpoint> endpoints() {
        List<Endpoint> all = new ArrayList<>();
        all.add(new Endpoint("GET", AUTHENTICATED + "/config", AuthKind.USER_OR_GUEST, null, this::config));
        all.add(new Endpoint("GET", AUTHENTICATED + "/download/{serverName}/{mediaId}", AuthKind.USER_OR_GUEST, null,
                r -> download(r, false)));
        all.add(new Endpoint("GET", AUTHENTICATED + "/download/{serverName}/{mediaId}/{fileName}", AuthKind.USER_OR_GUEST,
                null, r -> download(r, false)));
        all.add(new Endpoint("GET", AUTHENTICATED + "/thumbnail/{serverName}/{mediaId}", AuthKind.USER_OR_GUEST, null,
                r -> thumbnail(r, false)));
        all.add(new Endpoint("GET", AUTHENTICATED + "/preview_url", AuthKind.USER_OR_GUEST, PREVIEW_LIMIT, this::preview));
        for (String prefix : LEGACY_PREFIXES) {
            all.add(new Endpoint("GET", prefix + "/config", AuthKind.USER_OR_GUEST, null, this::config));
            all.add(new Endpoint("GET", prefix + "/download/{serverName}/{mediaId}", AuthKind.NONE, null, r -> download(r, true)));
            all.add(new Endpoint("GET", prefix + "/download/{serverName}/{mediaId}/{fileName}", AuthKind.NONE, null,
                    r -> download(r, true)));
            all.add(new Endpoint("GET", prefix + "/thumbnail/{serverName}/{mediaId}", AuthKind.NONE, null, r -> thumbnail(r, true)));
            all.add(new Endpoint("GET", prefix + "/preview_url", AuthKind.USER_OR_GUEST, PREVIEW_LIMIT, this::preview));
        }
        return all;
    }

    private ApiResponse config(ApiRequest request) {
        return ApiResponse.ok(Json.object().put("m.upload.size", config.maxUploadSize()));
    }

    private ApiResponse download(ApiRequest request, boolean legacy) {
        MediaItem item = find(request, legacy);
        return responses.file(item, request.pathOptional("fileName").orElse(null));
    }

    private ApiResponse thumbnail(ApiRequest request, boolean legacy) {
        MediaParams.ThumbnailRequest size = MediaParams.thumbnail(request);
        MediaItem item = find(request, legacy);
        return responses.thumbnail(thumbnails.choose(item, size.width(), size.height(), size.method(), size.animated()));
    }

    private MediaItem find(ApiRequest request, boolean legacy) {
        String serverName = request.path("serverName");
        String mediaId = request.path("mediaId");
        long timeoutMs = MediaParams.timeoutMs(request);
        boolean allowRemote = !legacy || QueryParams.bool(request, "allow_remote", true);
        if (legacy && config.enableAuthenticatedMedia() && !lookup.isLocal(serverName)) {
            // Under the freeze only copies cached before it may go out unauthenticated: never fetch for this path.
            allowRemote = false;
        }
        MediaItem item = lookup.stored(serverName, mediaId, timeoutMs, allowRemote, bypassQuarantine(request, legacy));
        // Switching enable_authenticated_media off serves everything again, as on Synapse.
        if (legacy && config.enableAuthenticatedMedia() && item.authenticated() && item.createdTs() >= legacyBefore) {
            throw MatrixException.notFound("Media not found: it is served only through /_matrix/client/v1/media");
        }
        return item;
    }

    private static boolean bypassQuarantine(ApiRequest request, boolean legacy) {
        if (legacy || !QueryParams.bool(request, "admin_unsafely_bypass_quarantine", false)) return false;
        if (!request.requester().admin()) {
            throw new MatrixException(ErrCode.UNKNOWN, 400, "Must be a server admin to bypass quarantine");
        }
        return true;
    }

    private ApiResponse preview(ApiRequest request) {
        if (!previews.enabled()) throw MatrixException.unrecognized(404, "URL previews are not enabled on this server");
        String url = request.query("url").orElseThrow(() -> MatrixException.missingParam("Missing string query parameter url"));
        QueryParams.atLeast(request, "ts", 0, 0);
        return ApiResponse.ok(previews.preview(url));
    }
}
