package org.callhs.core.api;

import java.util.List;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.sync.SlidingSyncRequest;
import org.callhs.core.sync.SlidingSyncService;

/**
 * {@code POST /_matrix/client/unstable/org.matrix.simplified_msc3575/sync}: simplified sliding
 * sync (MSC4186, in the unstable dialect Synapse and the SDKs speak; advertised as
 * {@value #UNSTABLE_FEATURE} in {@code unstable_features}). Query: {@code pos} (from the
 * previous response; unknown is 400 {@code M_UNKNOWN_POS}) and {@code timeout} in milliseconds
 * (default 0, at most {@value SyncEndpoint#MAX_TIMEOUT_MS}; not a non-negative integer: 400
 * {@code M_INVALID_PARAM}); the body as {@link SlidingSyncRequest} reads it.
 */
public final class SlidingSyncEndpoint implements Routes {
    public static final String UNSTABLE_FEATURE = "org.matrix.simplified_msc3575";
    public static final String PATH = "/_matrix/client/unstable/org.matrix.simplified_msc3575/sync";
    private final SlidingSyncService sliding;

    public SlidingSyncEndpoint(SlidingSyncService sliding) {
        this.sliding = sliding;
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(new Endpoint("POST", PATH, AuthKind.USER, null, this::sync));
    }

    private ApiResponse sync(ApiRequest request) {
        SlidingSyncRequest body = SlidingSyncRequest.parse(request.json());
        String pos = request.query("pos").filter(p -> !p.isEmpty()).orElse(null);
        long timeout = timeout(request);
        try {
            return ApiResponse.ok(sliding.sync(request.requester(), body, pos, timeout));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MatrixException(ErrCode.UNKNOWN, 503, "Server shutting down");
        }
    }

    private static long timeout(ApiRequest request) {
        String text = request.query("timeout").orElse("0");
        try {
            long value = Long.parseLong(text);
            if (value < 0) throw MatrixException.invalidParam("timeout must not be negative");
            return Math.min(value, SyncEndpoint.MAX_TIMEOUT_MS);
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("timeout must be an integer number of milliseconds");
        }
    }
}
