package org.callhs.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.account.DeviceService;
import org.callhs.core.account.PasswordCheck;
import org.callhs.core.account.UserInteractiveAuth;
import org.callhs.core.auth.Requester;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.storage.schema.tables.records.DevicesRecord;
import org.callhs.core.util.Json;

/**
 * Device management (Client-Server API "Device Management").
 *
 * <ul>
 * <li>{@code GET /devices}, {@code GET /devices/{deviceId}} (404 {@code M_NOT_FOUND} when unknown).
 * <li>{@code PUT /devices/{deviceId}}: renames an existing device (an absent {@code display_name}
 *     keeps the name); never creates one (404).
 * <li>{@code DELETE /devices/{deviceId}} and {@code POST /delete_devices}: user-interactive
 *     auth with {@code m.login.password}; deleting a device revokes its tokens. Unknown device
 *     IDs are accepted silently, as the spec says.
 * </ul>
 */
public final class DeviceEndpoints implements Routes {
    private static final int MAX_DISPLAY_NAME = 100;
    private final DeviceService devices;
    private final UserInteractiveAuth uia;
    private final PasswordCheck passwordCheck;

    public DeviceEndpoints(DeviceService devices, UserInteractiveAuth uia, PasswordCheck passwordCheck) {
        this.devices = devices;
        this.uia = uia;
        this.passwordCheck = passwordCheck;
    }

    @Override
    public List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>();
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/devices", AuthKind.USER_OR_GUEST, null, this::list));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/devices/{deviceId}", AuthKind.USER_OR_GUEST, null, this::get));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "PUT", "/devices/{deviceId}", AuthKind.USER_OR_GUEST, null, this::rename));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "DELETE", "/devices/{deviceId}", AuthKind.USER, null, this::delete));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/delete_devices", AuthKind.USER, null, this::deleteMany));
        return list;
    }

    private ApiResponse list(ApiRequest request) {
        ObjectNode body = Json.object();
        ArrayNode array = body.putArray("devices");
        for (DevicesRecord device : devices.list(request.requester().userId())) array.add(render(device));
        return ApiResponse.ok(body);
    }

    private ApiResponse get(ApiRequest request) {
        return devices.find(request.requester().userId(), request.path("deviceId"))
                .map(d -> ApiResponse.ok(render(d)))
                .orElseThrow(() -> MatrixException.notFound("Unknown device"));
    }

    private ApiResponse rename(ApiRequest request) {
        ObjectNode body = request.jsonObject();
        String userId = request.requester().userId();
        String deviceId = request.path("deviceId");
        if (!body.has("display_name")) {
            // Nothing to change; the spec keeps the current name when display_name is absent.
            devices.find(userId, deviceId).orElseThrow(() -> MatrixException.notFound("Unknown device"));
            return ApiResponse.empty();
        }
        String name = Bodies.optionalString(body, "display_name");
        if (name != null && name.length() > MAX_DISPLAY_NAME) {
            throw MatrixException.invalidParam("display_name longer than " + MAX_DISPLAY_NAME + " characters");
        }
        devices.rename(userId, deviceId, name);
        return ApiResponse.empty();
    }

    private ApiResponse delete(ApiRequest request) {
        Requester requester = request.requester();
        ObjectNode body = request.jsonObject();
        authenticate(body, requester);
        devices.delete(requester.userId(), List.of(request.path("deviceId")));
        return ApiResponse.empty();
    }

    private ApiResponse deleteMany(ApiRequest request) {
        Requester requester = request.requester();
        ObjectNode body = request.jsonObject();
        JsonNode ids = body.get("devices");
        if (ids == null) throw MatrixException.missingParam("Missing devices");
        if (!ids.isArray()) throw MatrixException.badJson("devices must be an array of strings");
        List<String> deviceIds = new ArrayList<>();
        for (JsonNode id : ids) {
            if (!id.isTextual()) throw MatrixException.badJson("devices must be an array of strings");
            deviceIds.add(id.textValue());
        }
        authenticate(body, requester);
        devices.delete(requester.userId(), deviceIds);
        return ApiResponse.empty();
    }

    private void authenticate(ObjectNode body, Requester requester) {
        uia.require(body, "delete_devices", requester.userId(),
                List.of(new UserInteractiveAuth.Flow(List.of(UserInteractiveAuth.PASSWORD))), passwordCheck.forUser(requester.userId()));
    }

    private static ObjectNode render(DevicesRecord device) {
        ObjectNode node = Json.object();
        node.put("device_id", device.getDeviceId());
        if (device.getDisplayName() != null) node.put("display_name", device.getDisplayName());
        if (device.getLastSeenTs() != null) node.put("last_seen_ts", device.getLastSeenTs());
        if (device.getLastSeenIp() != null) node.put("last_seen_ip", device.getLastSeenIp());
        return node;
    }
}
