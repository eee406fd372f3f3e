package org.callhs.core.e2e;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.callhs.core.account.PasswordCheck;
import org.callhs.core.account.UserInteractiveAuth;
import org.callhs.core.auth.Requester;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.sync.EncryptionSyncSource.DeviceListChanges;
import org.callhs.core.sync.Streams;
import org.callhs.core.sync.SyncToken;
import org.callhs.core.util.Json;

/**
 * The key endpoints of the Client-Server API module "End-to-end encryption" (v1.16, sections
 * "Key management API" and "Cross-signing"), under {@code /_matrix/client/r0}, {@code v3} and
 * {@code unstable} as Synapse serves them ({@code device_signing/upload}: {@code v3} and
 * {@code unstable} only). Guests may use all but {@code device_signing/upload}, as in Synapse.
 * Bodies that are not JSON are 400 {@code M_NOT_JSON}; JSON of the wrong shape 400
 * {@code M_BAD_JSON}.
 */
public final class KeysEndpoints implements Routes {
    static final List<String> PREFIXES = List.of("/_matrix/client/r0", "/_matrix/client/v3", "/_matrix/client/unstable");
    private static final List<String> V3_UNSTABLE = List.of("/_matrix/client/v3", "/_matrix/client/unstable");

    private final KeyService keys;
    private final CrossSigningService crossSigning;
    private final SignatureUploadService signatures;
    private final UserInteractiveAuth uia;
    private final PasswordCheck passwordCheck;
    private final StreamPositions positions;

    /** Current positions of the streams {@code /keys/changes} reads when {@code to} is absent. */
    @FunctionalInterface
    public interface StreamPositions {
        long current(String stream);
    }

    public KeysEndpoints(KeyService keys, CrossSigningService crossSigning, SignatureUploadService signatures,
                         UserInteractiveAuth uia, PasswordCheck passwordCheck, StreamPositions positions) {
        this.keys = keys;
        this.crossSigning = crossSigning;
        this.signatures = signatures;
        this.uia = uia;
        this.passwordCheck = passwordCheck;
        this.positions = positions;
    }

    @Override
    public List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>();
        list.addAll(Endpoint.under(PREFIXES, "POST", "/keys/upload", AuthKind.USER_OR_GUEST, null, this::upload));
        list.addAll(Endpoint.under(PREFIXES, "POST", "/keys/query", AuthKind.USER_OR_GUEST, null, this::query));
        list.addAll(Endpoint.under(PREFIXES, "POST", "/keys/claim", AuthKind.USER_OR_GUEST, null, this::claim));
        list.addAll(Endpoint.under(PREFIXES, "GET", "/keys/changes", AuthKind.USER_OR_GUEST, null, this::changes));
        list.addAll(Endpoint.under(V3_UNSTABLE, "POST", "/keys/device_signing/upload", AuthKind.USER, null, this::uploadSigningKeys));
        list.addAll(Endpoint.under(PREFIXES, "POST", "/keys/signatures/upload", AuthKind.USER_OR_GUEST, null, this::uploadSignatures));
        return list;
    }

    /**
     * {@code POST /_matrix/client/v3/keys/upload}: publishes the device's identity keys, one-time
     * keys and fallback keys (spec "POST /_matrix/client/v3/keys/upload").
     *
     * <p>{@code device_keys} whose {@code user_id}/{@code device_id} are not the requester's are
     * 400 {@code M_INVALID_PARAM} (Synapse says {@code M_BAD_JSON}); key names must be
     * {@code <algorithm>:<key_id>}; more than {@value KeyService#MAX_ONE_TIME_KEYS_PER_UPLOAD}
     * one-time keys, or a one-time key ID re-used with other content, are 400
     * {@code M_INVALID_PARAM}. Answers {@code one_time_key_counts} (with {@code signed_curve25519}).
     */
    private ApiResponse upload(ApiRequest request) {
        Requester requester = request.requester();
        var counts = keys.upload(requester.userId(), requester.deviceId(), request.requiredJsonObject());
        ObjectNode body = Json.object();
        ObjectNode map = body.putObject("one_time_key_counts");
        counts.forEach(map::put);
        return ApiResponse.ok(body);
    }

    /**
     * {@code POST /_matrix/client/v3/keys/query}: device and cross-signing keys of users (spec
     * "POST /_matrix/client/v3/keys/query"); see {@link KeyQuery}. {@code timeout} is ignored
     * (no remote servers are asked yet).
     */
    private ApiResponse query(ApiRequest request) {
        return ApiResponse.ok(keys.query(request.requester().userId(), request.jsonObject()));
    }

    /**
     * {@code POST /_matrix/client/v3/keys/claim}: claims one-time keys, falling back to the
     * fallback key (spec "POST /_matrix/client/v3/keys/claim"); see {@link KeyService#claim}.
     */
    private ApiResponse claim(ApiRequest request) {
        return ApiResponse.ok(keys.claim(request.jsonObject()));
    }

    /**
     * {@code GET /_matrix/client/v3/keys/changes}: users whose device lists changed and users who
     * left between two sync tokens (spec "GET /_matrix/client/v3/keys/changes"); see
     * {@link DeviceListTracker}. {@code from} is required (400 {@code M_MISSING_PARAM}); a missing
     * {@code to} means now (Synapse ignores {@code to}); malformed tokens are 400
     * {@code M_INVALID_PARAM}.
     */
    private ApiResponse changes(ApiRequest request) {
        String fromText = request.query("from").orElseThrow(() -> MatrixException.missingParam("Missing parameter: from"));
        SyncToken from = SyncToken.parse(fromText);
        SyncToken to = request.query("to").map(SyncToken::parse).orElseGet(() -> new SyncToken(Map.of(
                Streams.DEVICE_LISTS, positions.current(Streams.DEVICE_LISTS), Streams.EVENTS, positions.current(Streams.EVENTS))));
        DeviceListChanges result = keys.deviceListChanges(request.requester().userId(), from, to);
        ObjectNode body = Json.object();
        ArrayNode changed = body.putArray("changed");
        new TreeSet<>(result.changed()).forEach(changed::add);
        ArrayNode left = body.putArray("left");
        new TreeSet<>(result.left()).forEach(left::add);
        return ApiResponse.ok(body);
    }

    /**
     * {@code POST /_matrix/client/v3/keys/device_signing/upload}: publishes cross-signing keys
     * (spec "POST /_matrix/client/v3/keys/device_signing/upload"); checks as
     * {@link CrossSigningService#prepare}.
     *
     * <p>User-interactive auth ({@code m.login.password}, as for device deletion) is required
     * only to <em>replace</em> keys: the first upload, while the user has no master key yet,
     * goes through without it, and so does an upload identical to the stored keys (Synapse's
     * behaviour, MSC3967). The keys are checked before the auth is asked for.
     */
    private ApiResponse uploadSigningKeys(ApiRequest request) {
        Requester requester = request.requester();
        ObjectNode body = request.requiredJsonObject();
        CrossSigningService.Prepared prepared = crossSigning.prepare(requester.userId(), body);
        if (prepared.unchanged()) return ApiResponse.empty();
        if (prepared.replacing()) {
            uia.require(body, "device_signing_upload", requester.userId(),
                    List.of(new UserInteractiveAuth.Flow(List.of(UserInteractiveAuth.PASSWORD))),
                    passwordCheck.forUser(requester.userId()));
        }
        crossSigning.store(prepared);
        return ApiResponse.empty();
    }

    /**
     * {@code POST /_matrix/client/v3/keys/signatures/upload}: publishes cross-signing signatures
     * (spec "POST /_matrix/client/v3/keys/signatures/upload"); see {@link SignatureUploadService}.
     * A body that is not a map of user IDs to maps of key IDs to objects is 400 {@code M_BAD_JSON}.
     */
    private ApiResponse uploadSignatures(ApiRequest request) {
        return ApiResponse.ok(signatures.upload(request.requester().userId(), request.requiredJsonObject()));
    }
}
