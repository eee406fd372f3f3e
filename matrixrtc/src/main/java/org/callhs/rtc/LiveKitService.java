package org.callhs.rtc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;
import org.callhs.core.util.MatrixIds;

/**
 * The built-in LiveKit token service, with element-hq/lk-jwt-service's contract, served on the
 * client listener under {@value #PATH} (the {@code livekit_service_url} this server advertises):
 * <ul>
 * <li>{@code POST {service}/get_token}: {@code room_id}, {@code slot_id}, {@code openid_token},
 *     {@code member} ({@code id}, {@code claimed_user_id}, {@code claimed_device_id}), optionally
 *     {@code delay_id} and {@code delay_timeout} (ms): {@code {"url", "jwt"}}, a one-hour token for
 *     the LiveKit room and identity derived as lk-jwt-service derives them ({@link LiveKitNames});
 * <li>{@code POST {service}/sfu/get}, the legacy form: {@code room}, {@code openid_token},
 *     {@code device_id}, optionally the same delay fields; slot {@code m.call#ROOM}, identity
 *     {@code user:device};
 * <li>{@code POST {service}/delegate_delayed_leave}: hands a delayed leave over without a token
 *     (all delay fields required): {@code {}};
 * <li>{@code GET {service}/healthz}: {@code {}}.
 * </ul>
 * The OpenID token is checked locally for this server's users and through the user's server
 * otherwise ({@link OpenIdUsers}); {@code claimed_user_id} must be its owner. Users of
 * full-access servers (this one always) have the LiveKit room created before the answer
 * (LiveKit's auto-create should be off; {@link KnownRooms} spares repeated creations); others
 * get a token only. A delayed leave handed over
 * (local users only) is watched by {@link DelegatedLeaves}. Errors: 400 {@code M_NOT_JSON} /
 * {@code M_BAD_JSON} for bad bodies, 401 {@code M_UNAUTHORIZED} for a token that does not
 * check out, 403 {@code M_FORBIDDEN} for delegation by users of other servers on
 * {@code delegate_delayed_leave}, 502 when LiveKit cannot create the room. Tokens are never logged.
 * See https://github.com/element-hq/lk-jwt-service and MSC4195
 * (https://github.com/matrix-org/matrix-spec-proposals/pull/4195).
 */
final class LiveKitService implements Routes {
    static final String PATH = "/livekit/jwt";
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LiveKitService.class);
    private static final Set<String> OPENID_KEYS = Set.of("access_token", "token_type", "matrix_server_name", "expires_in");
    private static final Set<String> MEMBER_KEYS = Set.of("id", "claimed_user_id", "claimed_device_id");
    private static final Set<String> TOKEN_KEYS = Set.of("room_id", "slot_id", "openid_token", "member", "delay_id", "delay_timeout",
            "delay_cs_api_url");
    private static final Set<String> LEGACY_KEYS = Set.of("room", "openid_token", "device_id", "delay_id", "delay_timeout", "delay_cs_api_url");

    private final LiveKitConfig config;
    private final String serverName;
    private final OpenIdUsers openIds;
    private final LiveKitTokens tokens;
    private final KnownRooms rooms;
    private final DelegatedLeaves leaves;
    private final LiveKitWebhook webhook;

    LiveKitService(LiveKitConfig config, String serverName, OpenIdUsers openIds, LiveKitTokens tokens, KnownRooms rooms,
                   DelegatedLeaves leaves, LiveKitWebhook webhook) {
        this.config = config;
        this.serverName = serverName;
        this.openIds = openIds;
        this.tokens = tokens;
        this.rooms = rooms;
        this.leaves = leaves;
        this.webhook = webhook;
    }

    /** The transport this server advertises for the service. */
    static ObjectNode transport(String publicBaseurl) {
        return Json.object().put("type", "livekit").put("livekit_service_url", publicBaseurl + PATH);
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(
                new Endpoint("POST", PATH + "/get_token", AuthKind.NONE, null, this::getToken),
                new Endpoint("POST", PATH + "/sfu/get", AuthKind.NONE, null, this::legacyGet),
                new Endpoint("POST", PATH + "/delegate_delayed_leave", AuthKind.NONE, null, this::delegate),
                new Endpoint("GET", PATH + "/healthz", AuthKind.NONE, null, request -> ApiResponse.empty()),
                new Endpoint("POST", PATH + "/sfu_webhook", AuthKind.NONE, null, webhook::receive));
    }

    /** Who asks and for which call, checked. */
    private record Caller(String userId, String server, boolean fullAccess) {
        boolean local(String ownServer) { return server.equals(ownServer) && MatrixIds.serverName(userId).equals(ownServer); }
    }

    /** The delay fields: both or neither, as lk-jwt-service requires. */
    private record Delay(String delayId, long timeoutMs) {
        boolean requested() { return !delayId.isEmpty(); }
    }

    /** The MatrixRTC member of a {@code get_token} or {@code delegate_delayed_leave} body, its fields all present. */
    private record Member(String roomId, String slotId, String id, String claimedUser, String claimedDevice) {
        static Member of(TokenRequest body) {
            TokenRequest member = body.object("member", MEMBER_KEYS);
            String roomId = body.string("room_id");
            String slotId = body.string("slot_id");
            if (roomId.isEmpty() || slotId.isEmpty()) throw MatrixException.badJson("The request body is missing `room_id` or `slot_id`");
            Member m = new Member(roomId, slotId, member.string("id"), member.string("claimed_user_id"), member.string("claimed_device_id"));
            if (m.id().isEmpty() || m.claimedUser().isEmpty() || m.claimedDevice().isEmpty()) {
                throw MatrixException.badJson("The request body `member` is missing `id`, `claimed_user_id` or `claimed_device_id`");
            }
            return m;
        }

        String room() { return LiveKitNames.room(roomId, slotId); }

        String identity(String userId) { return LiveKitNames.identity(userId, claimedDevice, id); }
    }

    private ApiResponse getToken(ApiRequest request) throws Exception {
        TokenRequest body = TokenRequest.parse(request.rawBody(), TOKEN_KEYS);
        TokenRequest openId = body.object("openid_token", OPENID_KEYS);
        Member member = Member.of(body);
        Delay delay = delay(body, false);
        Caller caller = caller(openId, member.claimedUser(), delay);
        return answer(caller, member.room(), member.identity(caller.userId()), delay);
    }

    private ApiResponse legacyGet(ApiRequest request) throws Exception {
        TokenRequest body = TokenRequest.parse(request.rawBody(), LEGACY_KEYS);
        TokenRequest openId = body.object("openid_token", OPENID_KEYS);
        String roomId = body.string("room");
        if (roomId.isEmpty()) throw MatrixException.badJson("Missing room parameter");
        String deviceId = body.string("device_id");
        Delay delay = delay(body, false);
        Caller caller = caller(openId, "", delay);
        String room = LiveKitNames.room(roomId, LiveKitNames.LEGACY_SLOT);
        String identity = LiveKitNames.legacyIdentity(caller.userId(), deviceId);
        return answer(caller, room, identity, delay);
    }

    private ApiResponse delegate(ApiRequest request) {
        TokenRequest body = TokenRequest.parse(request.rawBody(), TOKEN_KEYS);
        TokenRequest openId = body.object("openid_token", OPENID_KEYS);
        Member member = Member.of(body);
        Delay delay = delay(body, true);
        requireOpenIdFields(openId);
        String userId = verified(openId, member.claimedUser());
        String server = openId.string("matrix_server_name");
        Caller caller = new Caller(userId, server, config.fullAccess(server, serverName));
        if (!caller.fullAccess() || !caller.local(serverName)) {
            throw MatrixException.forbidden("Delegation of delayed events is only supported for users of this server");
        }
        leaves.handOver(new DelegatedLeave(member.room(), member.identity(userId), userId, delay.delayId(), delay.timeoutMs()));
        return ApiResponse.empty();
    }

    private static Delay delay(TokenRequest body, boolean required) {
        String delayId = body.string("delay_id");
        long timeout = body.number("delay_timeout");
        body.string("delay_cs_api_url"); // accepted for lk-jwt-service's clients; this server is the client-server API
        boolean any = !delayId.isEmpty() || timeout > 0;
        boolean all = !delayId.isEmpty() && timeout > 0;
        if ((required || any) && !all) throw MatrixException.badJson("The request body is missing `delay_id` or `delay_timeout`");
        return new Delay(delayId, timeout);
    }

    private static void requireOpenIdFields(TokenRequest openId) {
        if (openId.string("access_token").isEmpty() || openId.string("matrix_server_name").isEmpty()) {
            throw MatrixException.badJson("The request body `openid_token` is missing `access_token` or `matrix_server_name`");
        }
        openId.string("token_type");
        openId.number("expires_in");
    }

    private Caller caller(TokenRequest openId, String claimedUser, Delay delay) {
        requireOpenIdFields(openId);
        String server = openId.string("matrix_server_name");
        String userId = verified(openId, claimedUser);
        Caller caller = new Caller(userId, server, config.fullAccess(server, serverName));
        if (delay.requested() && !(caller.fullAccess() && caller.local(serverName))) {
            // Element Call asks again without the delay fields on this answer.
            throw MatrixException.badJson("Delegation of delayed events is only supported for users of this server");
        }
        return caller;
    }

    private String verified(TokenRequest openId, String claimedUser) {
        String userId = openIds.userOf(openId.string("access_token"), openId.string("matrix_server_name"));
        if (!claimedUser.isEmpty() && !claimedUser.equals(userId)) {
            throw OpenIdUsers.unauthorized("claimed_user_id " + claimedUser + " is not the OpenID token's owner " + userId);
        }
        return userId;
    }

    private ApiResponse answer(Caller caller, String room, String identity, Delay delay) throws InterruptedException {
        String jwt = tokens.join(room, identity);
        if (caller.fullAccess()) {
            try {
                rooms.ensure(room);
            } catch (IOException e) {
                log.warn("LiveKit room for {} could not be created: {}", caller.userId(), e.getMessage());
                throw new MatrixException(ErrCode.UNKNOWN, 502, "Unable to create room on SFU");
            }
            if (delay.requested()) {
                leaves.handOver(new DelegatedLeave(room, identity, caller.userId(), delay.delayId(), delay.timeoutMs()));
            }
        }
        log.debug("LiveKit token for {} ({} access)", caller.userId(), caller.fullAccess() ? "full" : "restricted");
        return ApiResponse.ok(Json.object().put("url", config.url()).put("jwt", jwt));
    }
}
