package org.callhs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The few Client-Server API calls the scenarios need, spoken over one
 * {@link HttpConnection}. Nothing here is specific to any homeserver implementation.
 */
public final class MatrixClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] EMPTY_OBJECT = {'{', '}'};
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private static final String DELAY_PARAMETER = "?org.matrix.msc4140.delay=";
    private static final String STICKY_PARAMETER = "?org.matrix.msc4354.sticky_duration_ms=";
    private static final String DELAYED_EVENTS = "/_matrix/client/unstable/org.matrix.msc4140/delayed_events/";

    private final HttpConnection http;

    public MatrixClient(HttpConnection http) {
        this.http = http;
    }

    /** The identity of a freshly registered or logged-in device. */
    public record Session(String userId, String accessToken, String deviceId) { }

    /** {@code GET /_matrix/client/versions}: no authentication, the cheapest endpoint. */
    public void versions() throws RequestFailure {
        expectSuccess("versions", call("GET", "/_matrix/client/versions", null, null));
    }

    /** {@code GET /_matrix/client/v3/account/whoami}. The body is not parsed on success. */
    public void whoami(String accessToken) throws RequestFailure {
        expectSuccess("whoami", call("GET", "/_matrix/client/v3/account/whoami", accessToken, null));
    }

    /**
     * Registers a user through open registration and the {@code m.login.dummy} flow of
     * user-interactive authentication: the first {@code POST /register} answers 401 with a
     * {@code session}, the second one repeats the request with
     * {@code auth: {type: m.login.dummy, session}}. A server that registers straight
     * away on the first call is accepted too.
     */
    public Session register(String username, String password) throws RequestFailure {
        ObjectNode body = JSON.createObjectNode()
                .put("username", username)
                .put("password", password)
                .put("initial_device_display_name", "callhs-bench");
        HttpResult first = call("POST", "/_matrix/client/v3/register", null, toBytes(body));
        if (first.isSuccess()) {
            return session("register", first);
        }
        JsonNode challenge = parse(first);
        String uiaSession = challenge == null ? null : challenge.path("session").asText(null);
        if (first.status() != 401 || uiaSession == null) {
            throw failure("register", first);
        }
        body.putObject("auth").put("type", "m.login.dummy").put("session", uiaSession);
        HttpResult second = call("POST", "/_matrix/client/v3/register", null, toBytes(body));
        return session("register", expectSuccess("register (m.login.dummy)", second));
    }

    /** {@code POST /_matrix/client/v3/login} with {@code m.login.password} and an {@code m.id.user} identifier. */
    public Session login(String username, String password) throws RequestFailure {
        ObjectNode body = JSON.createObjectNode().put("type", "m.login.password").put("password", password);
        body.putObject("identifier").put("type", "m.id.user").put("user", username);
        body.put("initial_device_display_name", "callhs-bench");
        HttpResult result = call("POST", "/_matrix/client/v3/login", null, toBytes(body));
        return session("login", expectSuccess("login", result));
    }

    /**
     * {@code POST /_matrix/client/v3/createRoom} with a {@code preset} and a {@code name};
     * returns the new room's ID.
     */
    public String createRoom(String accessToken, String preset, String name) throws RequestFailure {
        ObjectNode body = JSON.createObjectNode().put("preset", preset).put("name", name);
        return roomIdOf(expectSuccess("createRoom", call("POST", "/_matrix/client/v3/createRoom", accessToken, toBytes(body))));
    }

    private static String roomIdOf(HttpResult result) throws RequestFailure {
        JsonNode json = parse(result);
        String roomId = json == null ? null : json.path("room_id").asText(null);
        if (roomId == null) {
            throw RequestFailure.http("createRoom", result.status(), "NO_ROOM_ID", "no room_id in " + abbreviate(result.bodyText()));
        }
        return roomId;
    }

    /**
     * {@code POST /_matrix/client/v3/createRoom} with a {@code preset}, a {@code name} and a
     * {@code power_level_content_override} of {@code {"events": {eventType: 0}}}, so that every
     * member may send state events of {@code eventType} (MatrixRTC rooms do this for
     * {@code org.matrix.msc3401.call.member}); returns the new room's ID.
     */
    public String createRoomOpenTo(String accessToken, String preset, String name, String eventType) throws RequestFailure {
        ObjectNode body = JSON.createObjectNode().put("preset", preset).put("name", name);
        body.putObject("power_level_content_override").putObject("events").put(eventType, 0);
        return roomIdOf(expectSuccess("createRoom", call("POST", "/_matrix/client/v3/createRoom", accessToken, toBytes(body))));
    }

    /** {@code POST /_matrix/client/v3/rooms/{roomId}/join} with an empty body. */
    /** {@code POST /_matrix/client/v3/join/{roomId}?server_name=} : a join through another server. */
    public void joinRoomVia(String accessToken, String roomId, String server) throws RequestFailure {
        expectSuccess("join", call("POST", "/_matrix/client/v3/join/" + pathSegment(roomId) + "?server_name=" + pathSegment(server),
                accessToken, EMPTY_OBJECT));
    }

    public void joinRoom(String accessToken, String roomId) throws RequestFailure {
        expectSuccess("join", call("POST", "/_matrix/client/v3/rooms/" + pathSegment(roomId) + "/join",
                accessToken, EMPTY_OBJECT));
    }

    /**
     * {@code PUT /_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId}} with
     * {@code {"msgtype": "m.text", "body": text}}. The answer (the event ID) is not parsed.
     */
    public void sendText(String accessToken, String roomId, String txnId, String text) throws RequestFailure {
        ObjectNode body = JSON.createObjectNode().put("msgtype", "m.text").put("body", text);
        expectSuccess("send", call("PUT", "/_matrix/client/v3/rooms/" + pathSegment(roomId)
                + "/send/m.room.message/" + pathSegment(txnId), accessToken, toBytes(body)));
    }

    /**
     * {@code GET /_matrix/client/v3/sync}: an initial sync when {@code since} is null, else an
     * incremental one that the server may hold for up to {@code timeoutMs}. {@code timeoutMs}
     * &lt; 0 leaves the parameter out; {@code filter} (inline JSON) may be null. The body is
     * returned unparsed.
     */
    public HttpResult sync(String accessToken, String since, long timeoutMs, String filter) throws RequestFailure {
        StringBuilder path = new StringBuilder("/_matrix/client/v3/sync");
        char separator = '?';
        if (since != null) {
            path.append(separator).append("since=").append(pathSegment(since));
            separator = '&';
        }
        if (timeoutMs >= 0) {
            path.append(separator).append("timeout=").append(timeoutMs);
            separator = '&';
        }
        if (filter != null) {
            path.append(separator).append("filter=").append(pathSegment(filter));
        }
        return expectSuccess("sync", call("GET", path.toString(), accessToken, null));
    }

    /** {@code GET path} (a Client-Server path with its query, already encoded); the body parsed, or a failure. */
    public JsonNode getJson(String what, String path, String accessToken) throws RequestFailure {
        JsonNode json = parse(expectSuccess(what, call("GET", path, accessToken, null)));
        if (json == null) {
            throw RequestFailure.http(what, 200, "NO_BODY", "empty body from " + path);
        }
        return json;
    }

    /**
     * {@code PUT /_matrix/client/v3/sendToDevice/{eventType}/{txnId}} with
     * {@code {"messages": messages}} (user ID to device ID to content).
     */
    public void sendToDevice(String accessToken, String eventType, String txnId, ObjectNode messages) throws RequestFailure {
        ObjectNode body = JSON.createObjectNode();
        body.set("messages", messages);
        expectSuccess("sendToDevice", call("PUT", "/_matrix/client/v3/sendToDevice/" + pathSegment(eventType) + "/"
                + pathSegment(txnId), accessToken, toBytes(body)));
    }

    /**
     * Schedules a delayed {@code m.room.message} (MSC4140):
     * {@code PUT /_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId}?org.matrix.msc4140.delay=<delayMs>}
     * with {@code {"msgtype": "m.text", "body": text}}; returns the {@code delay_id}.
     */
    public String scheduleDelayedText(String accessToken, String roomId, String txnId, String text, long delayMs) throws RequestFailure {
        ObjectNode body = JSON.createObjectNode().put("msgtype", "m.text").put("body", text);
        return delayIdOf(expectSuccess("schedule", call("PUT", "/_matrix/client/v3/rooms/" + pathSegment(roomId)
                + "/send/m.room.message/" + pathSegment(txnId) + DELAY_PARAMETER + delayMs, accessToken, toBytes(body))));
    }

    /**
     * Schedules a delayed state event (MSC4140) with an empty content:
     * {@code PUT /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}?org.matrix.msc4140.delay=<delayMs>}
     * with {@code {}}; returns the {@code delay_id}.
     */
    public String scheduleDelayedEmptyState(String accessToken, String roomId, String eventType, String stateKey, long delayMs)
            throws RequestFailure {
        return delayIdOf(expectSuccess("schedule", call("PUT", "/_matrix/client/v3/rooms/" + pathSegment(roomId) + "/state/"
                + pathSegment(eventType) + "/" + pathSegment(stateKey) + DELAY_PARAMETER + delayMs, accessToken, EMPTY_OBJECT)));
    }

    /** {@code POST /_matrix/client/v3/user/{userId}/openid/request_token}: the OpenID token object, as a LiveKit token service takes it. */
    public JsonNode requestOpenIdToken(String accessToken, String userId) throws RequestFailure {
        JsonNode json = parse(expectSuccess("openid", call("POST", "/_matrix/client/v3/user/" + pathSegment(userId) + "/openid/request_token",
                accessToken, EMPTY_OBJECT)));
        if (json == null || !json.path("access_token").isTextual()) throw RequestFailure.http("openid", 200, "NO_TOKEN", "no access_token");
        return json;
    }

    /**
     * {@code POST /_matrix/client/unstable/org.matrix.msc4140/delayed_events/{delayId}/{action}} with {@code {}}
     * and the access token (as matrix-js-sdk sends it); {@code action} is {@code restart}, {@code cancel} or
     * {@code send}. A delayed event that is no longer scheduled answers {@code 404 M_NOT_FOUND}.
     */
    public void delayedEventAction(String accessToken, String delayId, String action) throws RequestFailure {
        expectSuccess(action, call("POST", DELAYED_EVENTS + pathSegment(delayId) + "/" + action, accessToken, EMPTY_OBJECT));
    }

    /**
     * Sends a sticky event (MSC4354):
     * {@code PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}?org.matrix.msc4354.sticky_duration_ms=<durationMs>}.
     * The answer (the event ID) is not parsed.
     */
    public void sendSticky(String accessToken, String roomId, String eventType, String txnId, ObjectNode content, long durationMs)
            throws RequestFailure {
        expectSuccess("sendSticky", call("PUT", "/_matrix/client/v3/rooms/" + pathSegment(roomId) + "/send/" + pathSegment(eventType)
                + "/" + pathSegment(txnId) + STICKY_PARAMETER + durationMs, accessToken, toBytes(content)));
    }

    /**
     * Schedules a delayed sticky event (MSC4140 and MSC4354 on one request, as matrix-js-sdk schedules its sticky leave);
     * returns the {@code delay_id}.
     */
    public String scheduleDelayedSticky(String accessToken, String roomId, String eventType, String txnId, ObjectNode content,
                                        long delayMs, long durationMs) throws RequestFailure {
        return delayIdOf(expectSuccess("schedule", call("PUT", "/_matrix/client/v3/rooms/" + pathSegment(roomId) + "/send/"
                + pathSegment(eventType) + "/" + pathSegment(txnId) + DELAY_PARAMETER + delayMs + "&org.matrix.msc4354.sticky_duration_ms="
                + durationMs, accessToken, toBytes(content))));
    }

    private static String delayIdOf(HttpResult result) throws RequestFailure {
        JsonNode json = parse(result);
        String delayId = json == null ? null : json.path("delay_id").asText(null);
        if (delayId == null) {
            throw RequestFailure.http("schedule", result.status(), "NO_DELAY_ID", "no delay_id in " + abbreviate(result.bodyText()));
        }
        return delayId;
    }

    /** Percent-encodes one path segment or query value: every byte of its UTF-8 form except RFC 3986 unreserved characters. */
    static String pathSegment(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    /** {@code POST /_matrix/media/v3/upload}: the media ID of the new {@code mxc://} URI. */
    public String upload(String accessToken, byte[] bytes, String contentType) throws RequestFailure {
        HttpResult result;
        try {
            result = http.exchange("POST", "/_matrix/media/v3/upload", accessToken, bytes, contentType);
        } catch (IOException | RuntimeException e) {
            throw RequestFailure.transport("upload", e);
        }
        JsonNode json = parse(expectSuccess("upload", result));
        String uri = json == null ? null : json.path("content_uri").asText(null);
        if (uri == null || !uri.startsWith("mxc://")) {
            throw RequestFailure.http("upload", result.status(), "NO_CONTENT_URI", abbreviate(result.bodyText()));
        }
        return uri.substring(uri.lastIndexOf('/') + 1);
    }

    /** {@code GET /_matrix/client/v1/media/download/{serverName}/{mediaId}}: the bytes. */
    public byte[] download(String accessToken, String serverName, String mediaId) throws RequestFailure {
        return expectSuccess("download", call("GET", "/_matrix/client/v1/media/download/" + pathSegment(serverName) + "/" + mediaId,
                accessToken, null)).body();
    }

    /** {@code GET /_matrix/client/v1/media/thumbnail/{serverName}/{mediaId}}: the thumbnail's bytes. */
    public byte[] thumbnail(String accessToken, String serverName, String mediaId, int width, int height, String method)
            throws RequestFailure {
        return expectSuccess("thumbnail", call("GET", "/_matrix/client/v1/media/thumbnail/" + pathSegment(serverName) + "/" + mediaId
                + "?width=" + width + "&height=" + height + "&method=" + method, accessToken, null)).body();
    }

    private HttpResult call(String method, String path, String token, byte[] body) throws RequestFailure {
        try {
            return http.exchange(method, path, token, body);
        } catch (IOException | RuntimeException e) {
            throw RequestFailure.transport(method + " " + path, e);
        }
    }

    private static HttpResult expectSuccess(String what, HttpResult result) throws RequestFailure {
        if (!result.isSuccess()) {
            throw failure(what, result);
        }
        return result;
    }

    private static Session session(String what, HttpResult result) throws RequestFailure {
        JsonNode json = parse(result);
        String token = json == null ? null : json.path("access_token").asText(null);
        if (token == null) {
            throw RequestFailure.http(what, result.status(), "NO_ACCESS_TOKEN", "no access_token in " + result.bodyText());
        }
        return new Session(json.path("user_id").asText(null), token, json.path("device_id").asText(null));
    }

    private static RequestFailure failure(String what, HttpResult result) {
        JsonNode json = parse(result);
        String errcode = json == null ? null : json.path("errcode").asText(null);
        String error = json == null ? abbreviate(result.bodyText()) : json.path("error").asText(null);
        return RequestFailure.http(what, result.status(), errcode, error);
    }

    private static JsonNode parse(HttpResult result) {
        if (result.body().length == 0) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(result.body());
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static byte[] toBytes(ObjectNode body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }
}
