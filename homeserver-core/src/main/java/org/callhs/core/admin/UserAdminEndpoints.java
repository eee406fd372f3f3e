package org.callhs.core.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.callhs.core.account.AccountService;
import org.callhs.core.account.DeviceService;
import org.callhs.core.api.QueryParams;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.storage.repo.UserListing;
import org.callhs.core.storage.schema.tables.records.DevicesRecord;
import org.callhs.core.util.Json;

/**
 * Synapse's user admin API, the subset existing tools use; every endpoint needs an admin's
 * access token (403 {@code M_FORBIDDEN} "You are not a server admin" otherwise).
 * <ul>
 * <li>{@code GET /_synapse/admin/v2/users}: {@code from}, {@code limit}, {@code name}, {@code user_id},
 *     {@code guests}, {@code deactivated}, {@code admins}, {@code order_by}, {@code dir};
 *     {@code {users, total, next_token}}</li>
 * <li>{@code GET /_synapse/admin/v2/users/{userId}}, {@code PUT} to create (201) or change (200) an account</li>
 * <li>{@code POST /_synapse/admin/v1/deactivate/{userId}} ({@code erase}), {@code POST /_synapse/admin/v1/reset_password/{userId}}</li>
 * <li>{@code GET /_synapse/admin/v2/users/{userId}/devices}, {@code GET|DELETE .../devices/{deviceId}},
 *     {@code POST .../delete_devices}</li>
 * </ul>
 * Docs: <a href="https://element-hq.github.io/synapse/latest/admin_api/user_admin_api.html">Synapse user admin API</a>.
 */
public final class UserAdminEndpoints implements Routes {
    private static final String V1 = "/_synapse/admin/v1";
    private static final String V2 = "/_synapse/admin/v2";
    private static final int MAX_DISPLAYNAME = 256;
    private static final Map<String, UserListing.Order> ORDERS = Map.ofEntries(
            Map.entry("name", UserListing.Order.NAME), Map.entry("displayname", UserListing.Order.DISPLAYNAME),
            Map.entry("is_guest", UserListing.Order.IS_GUEST), Map.entry("admin", UserListing.Order.ADMIN),
            Map.entry("deactivated", UserListing.Order.DEACTIVATED), Map.entry("avatar_url", UserListing.Order.AVATAR_URL),
            Map.entry("creation_ts", UserListing.Order.CREATION_TS), Map.entry("last_seen_ts", UserListing.Order.LAST_SEEN_TS),
            // Kept by Synapse, not here (no user types, shadow bans or locks): the order is by user ID.
            Map.entry("user_type", UserListing.Order.NONE), Map.entry("shadow_banned", UserListing.Order.NONE),
            Map.entry("locked", UserListing.Order.NONE));

    private final UserAdmin users;
    private final DeviceService devices;
    private final String serverName;

    public UserAdminEndpoints(UserAdmin users, DeviceService devices, String serverName) {
        this.users = users;
        this.devices = devices;
        this.serverName = serverName;
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(
                new Endpoint("GET", V2 + "/users", AuthKind.USER, null, this::list),
                new Endpoint("GET", V2 + "/users/{userId}", AuthKind.USER, null, this::get),
                new Endpoint("PUT", V2 + "/users/{userId}", AuthKind.USER, null, this::put),
                new Endpoint("POST", V1 + "/deactivate/{userId}", AuthKind.USER, null, this::deactivate),
                new Endpoint("POST", V1 + "/reset_password/{userId}", AuthKind.USER, null, this::resetPassword),
                new Endpoint("GET", V2 + "/users/{userId}/devices", AuthKind.USER, null, this::devices),
                new Endpoint("GET", V2 + "/users/{userId}/devices/{deviceId}", AuthKind.USER, null, this::device),
                new Endpoint("DELETE", V2 + "/users/{userId}/devices/{deviceId}", AuthKind.USER, null, this::deleteDevice),
                new Endpoint("POST", V2 + "/users/{userId}/delete_devices", AuthKind.USER, null, this::deleteDevices));
    }

    private ApiResponse list(ApiRequest request) {
        AdminAccess.requireAdmin(request);
        int from = QueryParams.atLeast(request, "from", 0, 0);
        int limit = QueryParams.atLeast(request, "limit", 0, 100);
        String orderBy = request.query("order_by").orElse("name");
        UserListing.Order order = ORDERS.get(orderBy);
        if (order == null) throw MatrixException.invalidParam("Query parameter 'order_by' must be one of " + new java.util.TreeSet<>(ORDERS.keySet()));
        boolean descending = AdminAccess.backwards(request);
        UserListing.Filter filter = new UserListing.Filter(request.query("name").orElse(null), request.query("user_id").orElse(null),
                QueryParams.bool(request, "guests", true), QueryParams.bool(request, "deactivated", false),
                QueryParams.bool(request, "admins").orElse(null));
        UserListing.Page page = users.list(filter, order, descending, from, limit);
        ObjectNode body = Json.object();
        ArrayNode out = body.putArray("users");
        for (UserListing.Row row : page.rows()) {
            ObjectNode user = out.addObject();
            user.put("name", row.userId());
            user.putNull("user_type");
            user.put("is_guest", row.guest());
            user.put("admin", row.admin());
            user.put("deactivated", row.deactivated());
            user.put("shadow_banned", false);
            user.put("displayname", row.displayname());
            user.put("avatar_url", row.avatarUrl());
            user.put("creation_ts", row.createdTs());
            user.put("approved", true);
            user.put("erased", row.erased());
            if (row.lastSeenTs() == null) user.putNull("last_seen_ts"); else user.put("last_seen_ts", row.lastSeenTs());
            user.put("locked", false);
        }
        body.put("total", page.total());
        if ((long) from + limit < page.total()) body.put("next_token", Integer.toString(from + page.rows().size()));
        return ApiResponse.ok(body);
    }

    private ApiResponse get(ApiRequest request) {
        AdminAccess.requireAdmin(request);
        String userId = AdminAccess.localUser(request, serverName, "Can only look up local users");
        return ApiResponse.ok(user(users.find(userId).orElseThrow(() -> MatrixException.notFound("User not found"))));
    }

    /** One account as Synapse's query answers it ({@code creation_ts} in seconds there). */
    private static ObjectNode user(UserListing.Row row) {
        ObjectNode user = Json.object();
        user.put("name", row.userId());
        user.put("admin", row.admin());
        user.put("deactivated", row.deactivated());
        user.put("locked", false);
        user.put("shadow_banned", false);
        user.put("creation_ts", row.createdTs() / 1000);
        user.putNull("appservice_id");
        user.putNull("consent_server_notice_sent");
        user.putNull("consent_version");
        user.putNull("consent_ts");
        user.putNull("user_type");
        user.put("is_guest", row.guest());
        user.put("suspended", false);
        user.put("displayname", row.displayname());
        user.put("avatar_url", row.avatarUrl());
        user.putArray("threepids");
        user.putArray("external_ids");
        user.put("erased", row.erased());
        if (row.lastSeenTs() == null) user.putNull("last_seen_ts"); else user.put("last_seen_ts", row.lastSeenTs());
        return user;
    }

    private ApiResponse put(ApiRequest request) {
        AdminAccess.requireAdmin(request);
        String userId = AdminAccess.userId(request);
        ObjectNode body = request.requiredJsonObject();
        if (!org.callhs.core.util.MatrixIds.serverName(userId).equals(serverName)) {
            throw new MatrixException(ErrCode.UNKNOWN, 400, "This endpoint can only be used with local users");
        }
        String password = null;
        if (body.hasNonNull("password")) {
            JsonNode node = body.get("password");
            if (!node.isTextual() || node.textValue().length() > 512) throw new MatrixException(ErrCode.UNKNOWN, 400, "Invalid password");
            password = node.textValue();
        }
        boolean logoutDevices = strictBoolean(body, "logout_devices", true, "'logout_devices' parameter is not of type boolean");
        String displayname = optionalText(body, "displayname");
        if (displayname != null && displayname.length() > MAX_DISPLAYNAME) {
            throw new MatrixException(ErrCode.UNKNOWN, 400, "Displayname is too long (max " + MAX_DISPLAYNAME + ")");
        }
        String avatarUrl = optionalText(body, "avatar_url");
        if (avatarUrl != null && !avatarUrl.isEmpty() && !avatarUrl.startsWith("mxc://")) {
            throw MatrixException.invalidParam("avatar_url must be an mxc:// URI");
        }
        Boolean admin = null;
        if (body.hasNonNull("admin")) {
            if (!body.get("admin").isBoolean()) throw MatrixException.badJson("Param 'admin' must be a boolean, if given");
            admin = body.get("admin").booleanValue();
        }
        Boolean deactivated = null;
        if (body.hasNonNull("deactivated")) {
            if (!body.get("deactivated").isBoolean()) throw new MatrixException(ErrCode.UNKNOWN, 400, "'deactivated' parameter is not of type boolean");
            deactivated = body.get("deactivated").booleanValue();
        }
        if (body.hasNonNull("locked") && !body.get("locked").isBoolean()) {
            throw new MatrixException(ErrCode.UNKNOWN, 400, "'locked' parameter is not of type boolean");
        }
        if (body.path("locked").asBoolean(false)) throw new MatrixException(ErrCode.UNKNOWN, 400, "Locking accounts is not supported by this server");
        if (body.has("user_type") && !body.get("user_type").isNull()) throw new MatrixException(ErrCode.UNKNOWN, 400, "Invalid user type");
        for (String list : List.of("threepids", "external_ids")) {
            if (body.has(list) && !(body.get(list).isArray() && body.get(list).isEmpty())) {
                throw new MatrixException(ErrCode.UNKNOWN, 400, "This server keeps no " + list + ": only an empty list is accepted");
            }
        }
        boolean created = users.createOrModify(userId, new UserAdmin.Changes(password, logoutDevices, displayname, avatarUrl, admin, deactivated),
                request.requester().userId(), request.requester().deviceId());
        return ApiResponse.of(created ? 201 : 200, user(users.find(userId).orElseThrow()));
    }

    private ApiResponse deactivate(ApiRequest request) {
        AdminAccess.requireAdmin(request);
        String userId = AdminAccess.localUser(request, serverName, "Can only deactivate local users");
        ObjectNode body = request.jsonObject();
        if (users.find(userId).isEmpty()) throw MatrixException.notFound("User not found");
        boolean erase = false;
        if (body.hasNonNull("erase")) {
            if (!body.get("erase").isBoolean()) throw MatrixException.badJson("Param 'erase' must be a boolean, if given");
            erase = body.get("erase").booleanValue();
        }
        users.deactivate(userId, erase);
        return ApiResponse.ok(Json.object().put("id_server_unbind_result", "success"));
    }

    private ApiResponse resetPassword(ApiRequest request) {
        AdminAccess.requireAdmin(request);
        String userId = AdminAccess.userId(request);
        ObjectNode body = request.requiredJsonObject();
        JsonNode password = body.get("new_password");
        if (password == null || password.isNull()) throw MatrixException.missingParam("Missing params: ['new_password']");
        if (!password.isTextual()) throw MatrixException.badJson("new_password must be a string");
        boolean logoutDevices = strictBoolean(body, "logout_devices", true, "'logout_devices' parameter is not of type boolean");
        AccountService.checkPassword(password.textValue());
        if (!org.callhs.core.util.MatrixIds.serverName(userId).equals(serverName) || users.find(userId).isEmpty()) {
            throw MatrixException.notFound("Unknown user");
        }
        users.resetPassword(userId, password.textValue(), logoutDevices);
        return ApiResponse.ok(Json.object());
    }

    private ApiResponse devices(ApiRequest request) {
        String userId = deviceOwner(request);
        ObjectNode body = Json.object();
        ArrayNode out = body.putArray("devices");
        List<DevicesRecord> all = devices.list(userId);
        for (DevicesRecord device : all) out.add(device(device));
        body.put("total", all.size());
        return ApiResponse.ok(body);
    }

    private ApiResponse device(ApiRequest request) {
        String userId = deviceOwner(request);
        return ApiResponse.ok(device(devices.find(userId, request.path("deviceId"))
                .orElseThrow(() -> MatrixException.notFound("No device found"))));
    }

    private ApiResponse deleteDevice(ApiRequest request) {
        String userId = deviceOwner(request);
        devices.delete(userId, List.of(request.path("deviceId")));
        return ApiResponse.ok(Json.object());
    }

    private ApiResponse deleteDevices(ApiRequest request) {
        String userId = deviceOwner(request);
        ObjectNode body = request.requiredJsonObject();
        JsonNode ids = body.get("devices");
        if (ids == null || ids.isNull()) throw MatrixException.missingParam("Missing params: ['devices']");
        if (!ids.isArray()) throw MatrixException.badJson("devices must be a list of device IDs");
        List<String> deviceIds = new ArrayList<>();
        for (JsonNode id : ids) {
            if (!id.isTextual()) throw MatrixException.badJson("devices must be a list of device IDs");
            deviceIds.add(id.textValue());
        }
        devices.delete(userId, deviceIds);
        return ApiResponse.ok(Json.object());
    }

    private String deviceOwner(ApiRequest request) {
        AdminAccess.requireAdmin(request);
        String userId = AdminAccess.localUser(request, serverName, "Can only lookup local users");
        if (users.find(userId).isEmpty()) throw MatrixException.notFound("Unknown user");
        return userId;
    }

    private static ObjectNode device(DevicesRecord device) {
        ObjectNode out = Json.object();
        out.put("user_id", device.getUserId());
        out.put("device_id", device.getDeviceId());
        out.put("display_name", device.getDisplayName());
        out.put("last_seen_ip", device.getLastSeenIp());
        out.putNull("last_seen_user_agent");
        if (device.getLastSeenTs() == null) out.putNull("last_seen_ts"); else out.put("last_seen_ts", device.getLastSeenTs());
        return out;
    }

    private static String optionalText(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) return null;
        if (!node.isTextual()) throw MatrixException.invalidParam(field + " must be a string");
        return node.textValue();
    }

    private static boolean strictBoolean(ObjectNode body, String field, boolean fallback, String message) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) return fallback;
        if (!node.isBoolean()) throw new MatrixException(ErrCode.UNKNOWN, 400, message);
        return node.booleanValue();
    }
}
