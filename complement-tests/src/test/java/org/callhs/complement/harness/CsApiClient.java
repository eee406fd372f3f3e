package org.callhs.complement.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A Client-Server API client, optionally logged in as one user on one device. Immutable: logging
 * in or registering returns a new client.
 */
public final class CsApiClient {

    private static final String[] CLIENT_V3 = {"_matrix", "client", "v3"};

    private final URI baseUrl;
    private final String accessToken;
    private final String userId;
    private final String deviceId;
    private final String password;

    public CsApiClient(URI baseUrl) {
        this(baseUrl, null, null, null, null);
    }

    private CsApiClient(URI baseUrl, String accessToken, String userId, String deviceId, String password) {
        this.baseUrl = baseUrl;
        this.accessToken = accessToken;
        this.userId = userId;
        this.deviceId = deviceId;
        this.password = password;
    }

    public URI baseUrl() { return baseUrl; }
    public String accessToken() { return accessToken; }
    public String userId() { return userId; }
    public String deviceId() { return deviceId; }
    /** The password this client registered or logged in with (for user-interactive auth). */
    public String password() { return password; }

    /** The same user with another token (e.g. to check that an old token was revoked). */
    public CsApiClient withAccessToken(String token) {
        return new CsApiClient(baseUrl, token, userId, deviceId, password);
    }

    /** The same account after a password change. */
    public CsApiClient withPassword(String newPassword) {
        return new CsApiClient(baseUrl, accessToken, userId, deviceId, newPassword);
    }

    /** A client for the same server without a token. */
    public CsApiClient anonymous() {
        return new CsApiClient(baseUrl);
    }

    // ---- generic requests -------------------------------------------------------------------

    /** A request to {@code /_matrix/client/v3/<segments...>} (each segment percent-encoded). */
    public CsRequest request(String method, String... clientV3Path) {
        String[] full = Stream.concat(Stream.of(CLIENT_V3), Stream.of(clientV3Path)).toArray(String[]::new);
        return requestAt(method, full);
    }

    /** A request to {@code /<segments...>}, e.g. {@code requestAt("GET", "_matrix", "client", "versions")}. */
    public CsRequest requestAt(String method, String... fullPath) {
        return new CsRequest(HttpClients.plain(), baseUrl, method, PathEncoding.path(fullPath), accessToken);
    }

    public CsResponse get(String... clientV3Path) {
        return request("GET", clientV3Path).send();
    }

    public CsResponse post(Object jsonBody, String... clientV3Path) {
        return withBody(request("POST", clientV3Path), jsonBody).send();
    }

    public CsResponse put(Object jsonBody, String... clientV3Path) {
        return withBody(request("PUT", clientV3Path), jsonBody).send();
    }

    public CsResponse delete(Object jsonBody, String... clientV3Path) {
        return withBody(request("DELETE", clientV3Path), jsonBody).send();
    }

    private static CsRequest withBody(CsRequest request, Object jsonBody) {
        return jsonBody == null ? request : request.json(jsonBody);
    }

    // ---- registration and login -------------------------------------------------------------

    /**
     * Registers with the {@code m.login.dummy} flow: the first POST (without {@code auth}) must get
     * 401 with a {@code session}, the second one carries {@code auth: {type: m.login.dummy, session}}.
     * Returns the response to the second POST, or to the first one if that was not a 401 (success
     * without UIA, or an early error such as {@code M_USER_IN_USE}).
     */
    public CsResponse registerWithDummyAuth(Map<String, Object> body) {
        return registerWithAuth(body, Json.obj("type", "m.login.dummy"));
    }

    /** Like {@link #registerWithDummyAuth} with any auth stage ({@code session} is added). */
    public CsResponse registerWithAuth(Map<String, Object> body, Map<String, Object> auth) {
        Map<String, Object> first = new LinkedHashMap<>(body);
        first.remove("auth");
        CsResponse challenge = anonymous().post(first, "register");
        if (challenge.status() != 401) return challenge; // 200 without UIA, or an early error such as M_USER_IN_USE
        String session = challenge.json().path("session").asText(null);
        assertThat(session).as("session in " + challenge.describe()).isNotBlank();
        Map<String, Object> second = new LinkedHashMap<>(first);
        Map<String, Object> stage = new LinkedHashMap<>(auth);
        stage.put("session", session);
        second.put("auth", stage);
        return anonymous().post(second, "register");
    }

    /** Registers {@code localpart} (dummy flow) and returns a client logged in as the new user. */
    public CsApiClient register(String localpart, String password) {
        JsonNode body = registerWithDummyAuth(Json.obj("username", localpart, "password", password)).assertOk();
        return fromLoginResponse(body, password);
    }

    /** Registers a guest ({@code kind=guest}) and returns a client with the guest's token. */
    public CsApiClient registerGuest() {
        JsonNode body = anonymous().request("POST", "register").query("kind", "guest").json(Json.obj()).send().assertOk();
        return fromLoginResponse(body, null);
    }

    /** {@code POST /login} with {@code m.login.password}; {@code user} is a localpart or a full user ID. */
    public CsResponse loginRaw(String user, String password, String deviceId, String initialDisplayName) {
        Map<String, Object> body = Json.obj(
                "type", "m.login.password",
                "identifier", Json.obj("type", "m.id.user", "user", user),
                "password", password);
        if (deviceId != null) body.put("device_id", deviceId);
        if (initialDisplayName != null) body.put("initial_device_display_name", initialDisplayName);
        return anonymous().post(body, "login");
    }

    public CsApiClient login(String user, String password) {
        return login(user, password, null, null);
    }

    public CsApiClient login(String user, String password, String deviceId, String initialDisplayName) {
        JsonNode body = loginRaw(user, password, deviceId, initialDisplayName).assertOk();
        return fromLoginResponse(body, password);
    }

    /** Logs in again as this client's user, on a new device. */
    public CsApiClient loginAgain() {
        return login(userId, password);
    }

    private CsApiClient fromLoginResponse(JsonNode body, String password) {
        assertThat(body.path("access_token").isTextual()).as("access_token in " + body).isTrue();
        assertThat(body.path("user_id").isTextual()).as("user_id in " + body).isTrue();
        return new CsApiClient(baseUrl, body.get("access_token").asText(), body.get("user_id").asText(),
                body.path("device_id").asText(null), password);
    }

    public JsonNode whoami() {
        return get("account", "whoami").assertOk();
    }

    // ---- user-interactive authentication ----------------------------------------------------

    /** The {@code m.login.password} auth dict for this client's user. */
    public Map<String, Object> passwordAuth(String session) {
        Map<String, Object> auth = Json.obj(
                "type", "m.login.password",
                "identifier", Json.obj("type", "m.id.user", "user", userId),
                "password", password);
        if (session != null) auth.put("session", session);
        return auth;
    }

    /**
     * Runs a request through user-interactive auth with {@code m.login.password}: the first attempt
     * must get 401 listing {@code m.login.password} in a flow, the second one carries the auth dict.
     * Returns the response to the second attempt.
     */
    public CsResponse withPasswordAuth(String method, Map<String, Object> body, String... clientV3Path) {
        CsResponse challenge = request(method, clientV3Path).json(body).send();
        assertUiaChallenge(challenge, "m.login.password");
        Map<String, Object> authed = new LinkedHashMap<>(body);
        authed.put("auth", passwordAuth(challenge.json().get("session").asText()));
        return request(method, clientV3Path).json(authed).send();
    }

    /** Asserts a 401 UIA response: {@code flows} with {@code stages} arrays, one containing the stage, and a session. */
    public static void assertUiaChallenge(CsResponse response, String expectedStage) {
        response.assertStatus(401);
        JsonNode flows = response.json().path("flows");
        assertThat(flows.isArray() && !flows.isEmpty()).as("flows in " + response.describe()).isTrue();
        boolean found = false;
        for (JsonNode flow : flows) {
            assertThat(flow.path("stages").isArray()).as("stages array in " + response.describe()).isTrue();
            for (JsonNode stage : flow.get("stages")) found |= expectedStage.equals(stage.asText());
        }
        assertThat(found).as(expectedStage + " in a flow of " + response.describe()).isTrue();
        assertThat(response.json().path("session").asText("")).as("session in " + response.describe()).isNotBlank();
    }
}
