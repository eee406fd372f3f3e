package org.callhs.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.ProfileRepository;
import org.callhs.core.storage.schema.tables.records.ProfilesRecord;
import org.callhs.core.util.Json;
import org.callhs.core.util.MatrixIds;

/**
 * Profiles of local users (Client-Server API "Profiles").
 *
 * <ul>
 * <li>{@code GET /profile/{userId}}: {@code displayname} and {@code avatar_url} where set;
 *     404 {@code M_NOT_FOUND} for unknown users. Profiles of remote users are asked of their
 *     server over federation ({@code RemoteServers#profile}: its 404 passes through, an
 *     unreachable server is 502/504), cached for a short while there;
 *     which this server does not speak yet: they are 404 too.
 * <li>{@code GET /profile/{userId}/displayname|avatar_url}: 404 when the user is unknown or
 *     the field is unset.
 * <li>{@code PUT /profile/{userId}/displayname|avatar_url}: own profile only (403); a string
 *     or null (null clears); display names up to 256 characters, avatar URLs up to 1000 (no
 *     other restriction: the spec asks for a URI, Synapse checks only the length).
 * </ul>
 */
public final class ProfileEndpoints implements Routes {
    private static final int MAX_DISPLAYNAME = 256;
    private static final int MAX_AVATAR_URL = 1000;
    private final Database database;
    private final ProfileRepository profiles;
    private final String serverName;
    private final org.callhs.core.spi.RemoteServers remote;

    public ProfileEndpoints(Database database, ProfileRepository profiles, String serverName,
                            org.callhs.core.spi.RemoteServers remote) {
        this.database = database;
        this.profiles = profiles;
        this.serverName = serverName;
        this.remote = remote;
    }

    private boolean isRemote(String userId) {
        if (!MatrixIds.isValidUserId(userId)) throw MatrixException.invalidParam("Invalid user ID");
        return !MatrixIds.serverName(userId).equals(serverName);
    }

    @Override
    public List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>();
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/profile/{userId}", AuthKind.OPTIONAL, null, this::getProfile));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/profile/{userId}/displayname", AuthKind.OPTIONAL, null,
                r -> getField(r, "displayname")));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/profile/{userId}/avatar_url", AuthKind.OPTIONAL, null,
                r -> getField(r, "avatar_url")));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "PUT", "/profile/{userId}/displayname", AuthKind.USER_OR_GUEST, null,
                this::setDisplayname));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "PUT", "/profile/{userId}/avatar_url", AuthKind.USER, null,
                this::setAvatarUrl));
        return list;
    }

    private ProfilesRecord load(String userId) {
        if (!MatrixIds.isValidUserId(userId)) throw MatrixException.invalidParam("Invalid user ID");
        return profiles.find(database.dsl(), userId).orElseThrow(() -> MatrixException.notFound("Profile was not found"));
    }

    private ApiResponse getProfile(ApiRequest request) {
        if (isRemote(request.path("userId"))) return ApiResponse.ok(remote.profile(request.path("userId"), null));
        ProfilesRecord profile = load(request.path("userId"));
        ObjectNode body = Json.object();
        if (profile.getDisplayname() != null) body.put("displayname", profile.getDisplayname());
        if (profile.getAvatarUrl() != null) body.put("avatar_url", profile.getAvatarUrl());
        return ApiResponse.ok(body);
    }

    private ApiResponse getField(ApiRequest request, String field) {
        if (isRemote(request.path("userId"))) {
            ObjectNode answer = remote.profile(request.path("userId"), field);
            if (!answer.path(field).isTextual()) throw MatrixException.notFound("Profile field " + field + " is not set");
            return ApiResponse.ok(Json.object().put(field, answer.get(field).textValue()));
        }
        ProfilesRecord profile = load(request.path("userId"));
        String value = field.equals("displayname") ? profile.getDisplayname() : profile.getAvatarUrl();
        if (value == null) throw MatrixException.notFound("Profile field " + field + " is not set");
        ObjectNode body = Json.object();
        body.put(field, value);
        return ApiResponse.ok(body);
    }

    private ApiResponse setDisplayname(ApiRequest request) {
        String userId = request.path("userId");
        Bodies.requireSelf(request.requester(), userId, "set displayname");
        String value = nullableString(request.jsonObject(), "displayname");
        if (value != null && value.length() > MAX_DISPLAYNAME) {
            throw MatrixException.invalidParam("displayname longer than " + MAX_DISPLAYNAME + " characters");
        }
        database.transaction(tx -> {
            profiles.setDisplayname(tx, userId, value);
            return null;
        });
        return ApiResponse.empty();
    }

    private ApiResponse setAvatarUrl(ApiRequest request) {
        String userId = request.path("userId");
        Bodies.requireSelf(request.requester(), userId, "set avatar_url");
        String value = nullableString(request.jsonObject(), "avatar_url");
        // The spec asks for a URI and nothing more (Synapse checks only the length).
        if (value != null && value.length() > MAX_AVATAR_URL) {
            throw MatrixException.invalidParam("avatar_url must be at most " + MAX_AVATAR_URL + " characters");
        }
        database.transaction(tx -> {
            profiles.setAvatarUrl(tx, userId, value == null || value.isEmpty() ? null : value);
            return null;
        });
        return ApiResponse.empty();
    }

    private static String nullableString(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null) throw MatrixException.missingParam("Missing " + field);
        if (node.isNull()) return null;
        if (!node.isTextual()) throw MatrixException.badJson(field + " must be a string");
        return node.textValue();
    }
}
