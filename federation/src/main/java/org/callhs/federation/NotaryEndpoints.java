package org.callhs.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.callhs.core.crypto.JsonSigner;
import org.callhs.core.crypto.SigningKey;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * This server as a notary (Server-Server API "Querying Keys Through Another Server"):
 * {@code GET /_matrix/key/v2/query/{serverName}?minimum_valid_until_ts=} and
 * {@code POST /_matrix/key/v2/query} with {@code {"server_keys": {server: {keyId:
 * {minimum_valid_until_ts}}}}}. Each answer is the server's own self-signed key response
 * (from the cache when it is valid long enough, else fetched now) with this server's signature
 * added; our own keys are answered directly. A server that cannot be reached, or whose name is
 * invalid in a POST, is left out of {@code server_keys}; an invalid name in the GET path is
 * 400 {@code M_INVALID_PARAM}. No authentication, as the spec says; instead each client address
 * is rate limited ({@value #RATE_LIMIT}: 10/s, burst 50) and one request makes at most
 * {@value #MAX_FETCHES} fetches from servers whose keys are not cached (the rest are left out), so
 * the notary cannot be used to make this server call out without bound.
 */
final class NotaryEndpoints implements Routes {
    static final String RATE_LIMIT = "federation_notary";
    static final int MAX_FETCHES = 10;
    private static final long OWN_VALIDITY_MS = 24 * 3_600_000L;
    private final String ourName;
    private final SigningKey ourKey;
    private final KeyRing keys;
    private final Clock clock;

    NotaryEndpoints(String ourName, SigningKey ourKey, KeyRing keys, Clock clock) {
        this.ourName = ourName;
        this.ourKey = ourKey;
        this.keys = keys;
        this.clock = clock;
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(
                new Endpoint("GET", "/_matrix/key/v2/query/{serverName}", AuthKind.NONE, RATE_LIMIT, this::getOne),
                new Endpoint("POST", "/_matrix/key/v2/query", AuthKind.NONE, RATE_LIMIT, this::post));
    }

    private ApiResponse getOne(ApiRequest request) {
        String server = request.path("serverName");
        if (!ServerName.isValid(server)) throw MatrixException.invalidParam("Invalid server name " + server);
        long minimum = parseMinimum(request.query("minimum_valid_until_ts").orElse(null));
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("server_keys");
        answer(server, minimum, new int[] {MAX_FETCHES}).ifPresent(list::add);
        return ApiResponse.ok(body);
    }

    private ApiResponse post(ApiRequest request) {
        JsonNode query = request.jsonObject().get("server_keys");
        if (!(query instanceof ObjectNode servers)) throw MatrixException.badJson("server_keys must be an object");
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("server_keys");
        int[] fetchesLeft = {MAX_FETCHES};
        for (Iterator<Map.Entry<String, JsonNode>> it = servers.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!entry.getValue().isObject()) throw MatrixException.badJson("server_keys values must be objects");
            if (!ServerName.isValid(entry.getKey())) continue;
            long minimum = 0;
            for (JsonNode criteria : entry.getValue()) {
                if (criteria.path("minimum_valid_until_ts").canConvertToLong()) {
                    minimum = Math.max(minimum, criteria.get("minimum_valid_until_ts").asLong());
                }
            }
            answer(entry.getKey(), minimum, fetchesLeft).ifPresent(list::add);
        }
        return ApiResponse.ok(body);
    }

    private static long parseMinimum(String text) {
        if (text == null) return 0;
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("minimum_valid_until_ts must be an integer");
        }
    }

    private Optional<ObjectNode> answer(String server, long minimum, int[] fetchesLeft) {
        JsonSigner signer = new JsonSigner(ourName, ourKey);
        if (server.equals(ourName)) {
            ObjectNode own = Json.object();
            own.put("server_name", ourName);
            own.put("valid_until_ts", clock.millis() + OWN_VALIDITY_MS);
            own.putObject("verify_keys").putObject(ourKey.keyId()).put("key", ourKey.publicKeyBase64());
            own.putObject("old_verify_keys");
            return Optional.of(signer.sign(own));
        }
        long validUntil = Math.max(minimum, clock.millis());
        Optional<ObjectNode> cached = keys.cachedResponse(server, validUntil);
        if (cached.isPresent()) return cached.map(signer::sign);
        if (fetchesLeft[0]-- <= 0) return Optional.empty();
        return keys.response(server, validUntil).map(signer::sign);
    }
}
