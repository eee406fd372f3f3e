package org.callhs.rtc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.callhs.core.util.Json;

/**
 * LiveKit's room API, {@code RoomService} over Twirp with JSON bodies
 * ({@code POST {api_url}/twirp/livekit.RoomService/{Method}}, a server token as Bearer):
 * creating the room of a call before its first participant joins (LiveKit's own auto-create
 * should be off, so that only this service decides), and looking a participant up.
 * See https://docs.livekit.io/reference/server/server-apis/
 */
class LiveKitRoomService {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final String apiUrl;
    private final LiveKitTokens tokens;
    private final HttpClient http;

    LiveKitRoomService(String apiUrl, LiveKitTokens tokens) {
        this.apiUrl = apiUrl;
        this.tokens = tokens;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    /** LiveKit could not be asked, or answered with an error. */
    static final class LiveKitException extends IOException {
        LiveKitException(String message) { super(message); }
    }

    /** Creates {@code room} (LiveKit answers the existing room when there is one). */
    void createRoom(String room, int emptyTimeoutSeconds, int departureTimeoutSeconds) throws IOException, InterruptedException {
        ObjectNode body = Json.object().put("name", room).put("empty_timeout", emptyTimeoutSeconds)
                .put("departure_timeout", departureTimeoutSeconds);
        HttpResponse<byte[]> response = call("CreateRoom", tokens.roomCreate(), body);
        if (response.statusCode() != 200) throw failure("CreateRoom", response);
    }

    /** Whether {@code identity} is in {@code room} now; an exception when LiveKit cannot tell. */
    boolean participantPresent(String room, String identity) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = call("GetParticipant", tokens.roomAdmin(room),
                Json.object().put("room", room).put("identity", identity));
        if (response.statusCode() == 200) return true;
        if (response.statusCode() == 404 && "not_found".equals(twirpCode(response))) return false;
        throw failure("GetParticipant", response);
    }

    private HttpResponse<byte[]> call(String method, String token, ObjectNode body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(apiUrl + "/twirp/livekit.RoomService/" + method))
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String twirpCode(HttpResponse<byte[]> response) {
        try {
            JsonNode error = Json.parse(response.body());
            return error.path("code").asText(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static LiveKitException failure(String method, HttpResponse<byte[]> response) {
        String body = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
        if (body.length() > 200) body = body.substring(0, 200) + "...";
        return new LiveKitException("LiveKit " + method + " answered " + response.statusCode() + ": " + body);
    }
}
