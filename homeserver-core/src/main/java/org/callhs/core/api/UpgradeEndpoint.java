package org.callhs.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.auth.Requester;
import org.callhs.core.error.MatrixException;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.room.RoomUpgrader;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;
import org.callhs.core.util.MatrixIds;

/**
 * {@code POST /rooms/{roomId}/upgrade}
 * (<a href="https://spec.matrix.org/v1.16/client-server-api/#post_matrixclientv3roomsroomidupgrade">spec</a>):
 * {@code new_version} (400 {@code M_MISSING_PARAM} when absent, {@code M_UNSUPPORTED_ROOM_VERSION}
 * when not served here) and, for versions whose creators have special power (v12),
 * {@code additional_creators} (user IDs; 400 {@code M_BAD_JSON} for wrong types,
 * {@code M_INVALID_PARAM} for strings that are not user IDs). Answers {@code replacement_room}.
 * What the upgrade does is {@link RoomUpgrader}'s.
 */
public final class UpgradeEndpoint implements Routes {
    private final RoomUpgrader upgrader;

    public UpgradeEndpoint(RoomUpgrader upgrader) {
        this.upgrader = upgrader;
    }

    @Override
    public List<Endpoint> endpoints() {
        return Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/rooms/{roomId}/upgrade", AuthKind.USER, null, this::upgrade);
    }

    private ApiResponse upgrade(ApiRequest request) {
        Requester requester = request.requester();
        String roomId = RoomEndpoints.roomId(request);
        ObjectNode body = request.requiredJsonObject();
        RoomVersion version = RoomVersion.require(Bodies.requireString(body, "new_version"));
        List<String> additional = new ArrayList<>();
        JsonNode list = body.get("additional_creators");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) throw MatrixException.badJson("additional_creators must be an array of user IDs");
            for (JsonNode item : list) {
                if (!item.isTextual()) throw MatrixException.badJson("additional_creators must be an array of user IDs");
                if (!MatrixIds.isValidUserId(item.textValue())) throw MatrixException.invalidParam("Not a user ID: " + item.textValue());
                if (!item.textValue().equals(requester.userId()) && !additional.contains(item.textValue())) additional.add(item.textValue());
            }
        }
        String replacement = upgrader.upgrade(requester.userId(), requester.deviceId(), roomId, version, additional);
        return ApiResponse.ok(Json.object().put("replacement_room", replacement));
    }
}
