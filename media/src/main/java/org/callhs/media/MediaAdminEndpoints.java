package org.callhs.media;

import java.util.List;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * Synapse's media admin API (the subset its tools use), for server admins only (403
 * {@code M_FORBIDDEN} otherwise). https://element-hq.github.io/synapse/latest/admin_api/media_admin_api.html
 *
 * POST /_synapse/admin/v1/media/quarantine/{serverName}/{mediaId}
 * Quarantines a local item or a cached remote one: it is no longer served (404) but kept.
 *
 * POST /_synapse/admin/v1/media/unquarantine/{serverName}/{mediaId}
 * Serves it again.
 *
 * DELETE /_synapse/admin/v1/media/{serverName}/{mediaId}
 * Deletes a local item, its file and its thumbnails: {@code {"deleted_media": [id], "total": 1}};
 * 400 for another server's media, 404 for an unknown one.
 */
final class MediaAdminEndpoints implements Routes {
    private final MediaAdmin admin;

    MediaAdminEndpoints(MediaAdmin admin) {
        this.admin = admin;
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(
                new Endpoint("POST", "/_synapse/admin/v1/media/quarantine/{serverName}/{mediaId}", AuthKind.USER, null,
                        r -> quarantine(r, true)),
                new Endpoint("POST", "/_synapse/admin/v1/media/unquarantine/{serverName}/{mediaId}", AuthKind.USER, null,
                        r -> quarantine(r, false)),
                new Endpoint("DELETE", "/_synapse/admin/v1/media/{serverName}/{mediaId}", AuthKind.USER, null, this::delete));
    }

    private ApiResponse quarantine(ApiRequest request, boolean on) {
        requireAdmin(request);
        admin.quarantine(request.path("serverName"), request.path("mediaId"), on ? request.requester().userId() : null);
        return ApiResponse.empty();
    }

    private ApiResponse delete(ApiRequest request) {
        requireAdmin(request);
        String mediaId = request.path("mediaId");
        admin.delete(request.path("serverName"), mediaId);
        var body = Json.object();
        body.putArray("deleted_media").add(mediaId);
        body.put("total", 1);
        return ApiResponse.ok(body);
    }

    private static void requireAdmin(ApiRequest request) {
        if (!request.requester().admin()) throw MatrixException.forbidden("You are not a server admin");
    }
}
