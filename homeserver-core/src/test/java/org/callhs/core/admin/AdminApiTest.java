package org.callhs.core.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.testing.TestServer;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Synapse-compatible admin API over HTTP: users (list, query, create and change, deactivate,
 * passwords, devices) and rooms (list, details, members, state), admins only, with Synapse's
 * answers to bad input. Each test makes its own users, so the tests share one server.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class AdminApiTest {
    private static final String SECRET = "admin test secret";
    private static TestServer server;
    private static TestClient client;
    private static String hs;
    private static String admin;
    private static int counter;

    @Parameter
    Backend backend;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) {
        server = TestServer.start(backend, "registration.shared_secret=\"" + SECRET + "\"");
        client = server.client();
        admin = server.registerAdmin(SECRET, "root");
        String userId = client.get("/_matrix/client/v3/account/whoami", admin).text("user_id");
        hs = userId.substring(userId.indexOf(':') + 1);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        server.close();
    }

    /** A fresh local user: its localpart starts with {@code prefix}; returns {localpart, token}. */
    private static String[] user(String prefix) {
        String localpart = prefix + (++counter);
        Resp r = client.register(localpart, "pw-" + localpart);
        assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
        return new String[] {localpart, r.text("access_token")};
    }

    private static String id(String localpart) { return "@" + localpart + ":" + hs; }

    private static String users(String userId) { return "/_synapse/admin/v2/users/" + TestClient.seg(userId); }

    private static void assertError(Resp r, int status, String errcode) {
        assertThat(r.status()).as("%s", r.body()).isEqualTo(status);
        assertThat(r.errcode()).as("%s", r.body()).isEqualTo(errcode);
    }

    @Test
    void everyEndpointIsForAdminsOnly() {
        String[] bob = user("plain");
        String room = client.post("/_matrix/client/v3/createRoom", bob[1], Json.object()).text("room_id");
        List<String[]> calls = List.of(
                new String[] {"GET", "/_synapse/admin/v2/users"},
                new String[] {"GET", users(id(bob[0]))},
                new String[] {"PUT", users(id(bob[0]))},
                new String[] {"POST", "/_synapse/admin/v1/deactivate/" + TestClient.seg(id(bob[0]))},
                new String[] {"POST", "/_synapse/admin/v1/reset_password/" + TestClient.seg(id(bob[0]))},
                new String[] {"GET", users(id(bob[0])) + "/devices"},
                new String[] {"GET", users(id(bob[0])) + "/devices/X"},
                new String[] {"DELETE", users(id(bob[0])) + "/devices/X"},
                new String[] {"POST", users(id(bob[0])) + "/delete_devices"},
                new String[] {"GET", "/_synapse/admin/v1/rooms"},
                new String[] {"GET", "/_synapse/admin/v1/rooms/" + TestClient.seg(room)},
                new String[] {"GET", "/_synapse/admin/v1/rooms/" + TestClient.seg(room) + "/members"},
                new String[] {"GET", "/_synapse/admin/v1/rooms/" + TestClient.seg(room) + "/state"});
        for (String[] call : calls) {
            Resp forbidden = client.call(call[0], call[1], bob[1], Json.object().put("admin", true).put("new_password", "x"));
            assertThat(forbidden.status()).as("%s %s", call[0], call[1]).isEqualTo(403);
            assertThat(forbidden.errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(forbidden.text("error")).isEqualTo("You are not a server admin");
            assertError(client.call(call[0], call[1], null, Json.object()), 401, "M_MISSING_TOKEN");
        }
        // Nothing happened to bob: still not an admin, still active.
        assertThat(client.get(users(id(bob[0])), admin).body().path("admin").asBoolean(true)).isFalse();
        assertThat(client.get("/_matrix/client/v3/account/whoami", bob[1]).status()).isEqualTo(200);
    }

    @Test
    void usersAreListedFilteredSortedAndPaged() {
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 5; i++) made.add(id(user("zlist")[0]));
        client.put("/_matrix/client/v3/profile/" + TestClient.seg(made.get(2)) + "/displayname",
                client.login(made.get(2).substring(1, made.get(2).indexOf(':')), "pw-" + made.get(2).substring(1, made.get(2).indexOf(':')), null)
                        .text("access_token"), Json.object().put("displayname", "Quirky Name"));
        Resp all = client.get("/_synapse/admin/v2/users?name=zlist&limit=2", admin);
        assertThat(all.status()).as("%s", all.body()).isEqualTo(200);
        assertThat(all.body().path("total").asInt()).isEqualTo(5);
        assertThat(all.text("next_token")).isEqualTo("2");
        assertThat(names(all)).containsExactly(made.get(0), made.get(1));
        JsonNode first = all.body().path("users").get(0);
        for (String field : List.of("name", "user_type", "is_guest", "admin", "deactivated", "shadow_banned", "displayname",
                "avatar_url", "creation_ts", "erased", "last_seen_ts", "locked")) {
            assertThat(first.has(field)).as(field).isTrue();
        }
        assertThat(first.path("creation_ts").asLong()).isGreaterThan(1_600_000_000_000L);
        Resp last = client.get("/_synapse/admin/v2/users?name=zlist&from=4&limit=2", admin);
        assertThat(names(last)).containsExactly(made.get(4));
        assertThat(last.body().has("next_token")).isFalse();
        // The display name matches too, case-insensitively; user_id is a substring of the ID.
        assertThat(names(client.get("/_synapse/admin/v2/users?name=quirky", admin))).containsExactly(made.get(2));
        assertThat(names(client.get("/_synapse/admin/v2/users?user_id=" + TestClient.seg(made.get(3)), admin))).containsExactly(made.get(3));
        // Wildcards in a search are plain characters.
        assertThat(client.get("/_synapse/admin/v2/users?name=%25", admin).body().path("total").asInt()).isZero();
        Resp backwards = client.get("/_synapse/admin/v2/users?name=zlist&order_by=name&dir=b", admin);
        assertThat(names(backwards)).containsExactlyElementsOf(made.reversed());
        assertThat(names(client.get("/_synapse/admin/v2/users?name=zlist&order_by=creation_ts&dir=b&limit=1", admin)))
                .containsExactly(made.get(4));
        assertThat(names(client.get("/_synapse/admin/v2/users?admins=true", admin))).contains(id("root")).doesNotContainAnyElementsOf(made);
        // Deactivated accounts are left out unless asked for.
        assertThat(client.post("/_synapse/admin/v1/deactivate/" + TestClient.seg(made.get(1)), admin, null).status()).isEqualTo(200);
        assertThat(names(client.get("/_synapse/admin/v2/users?name=zlist", admin))).doesNotContain(made.get(1));
        assertThat(names(client.get("/_synapse/admin/v2/users?name=zlist&deactivated=true", admin))).contains(made.get(1));
        for (String bad : List.of("limit=abc", "from=-1", "limit=-5", "order_by=height", "dir=up", "guests=yes", "deactivated=1", "admins=maybe")) {
            assertError(client.get("/_synapse/admin/v2/users?" + bad, admin), 400, "M_INVALID_PARAM");
        }
    }

    private static List<String> names(Resp r) {
        List<String> out = new ArrayList<>();
        r.body().path("users").forEach(u -> out.add(u.path("name").asText()));
        return out;
    }

    @Test
    void oneUserIsQueriedWithSynapsesFields() {
        String[] carol = user("query");
        Resp r = client.get(users(id(carol[0])), admin);
        assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
        assertThat(r.text("name")).isEqualTo(id(carol[0]));
        assertThat(r.body().path("admin").asBoolean(true)).isFalse();
        assertThat(r.body().path("deactivated").asBoolean(true)).isFalse();
        assertThat(r.text("displayname")).isEqualTo(carol[0]);
        assertThat(r.body().path("creation_ts").asLong()).isBetween(1_600_000_000L, 4_000_000_000L);
        assertThat(r.body().path("threepids").isArray()).isTrue();
        assertThat(r.body().path("last_seen_ts").isNull() || r.body().path("last_seen_ts").isNumber()).isTrue();
        assertError(client.get(users("@nobody-here:" + hs), admin), 404, "M_NOT_FOUND");
        assertError(client.get(users("@carol:elsewhere.example"), admin), 400, "M_UNKNOWN");
        assertError(client.get(users("carol"), admin), 400, "M_INVALID_PARAM");
        assertError(client.get(users("@carol"), admin), 400, "M_INVALID_PARAM");
    }

    @Test
    void putCreatesThenChangesAnAccount() {
        String localpart = "made" + (++counter);
        Resp created = client.put(users(id(localpart)), admin, Json.object().put("password", "first-password")
                .put("displayname", "Made By Admin").put("admin", true));
        assertThat(created.status()).as("%s", created.body()).isEqualTo(201);
        assertThat(created.text("displayname")).isEqualTo("Made By Admin");
        assertThat(created.body().path("admin").asBoolean()).isTrue();
        String token = client.login(localpart, "first-password", "DEV1").text("access_token");
        assertThat(client.get("/_synapse/admin/v2/users?limit=1", token).status()).isEqualTo(200);

        // Demoted: the same session loses admin rights at once (the token cache is evicted).
        Resp changed = client.put(users(id(localpart)), admin, Json.object().put("admin", false).put("displayname", "Renamed"));
        assertThat(changed.status()).as("%s", changed.body()).isEqualTo(200);
        assertThat(changed.text("displayname")).isEqualTo("Renamed");
        assertError(client.get("/_synapse/admin/v2/users?limit=1", token), 403, "M_FORBIDDEN");

        // A new password logs every device out by default.
        assertThat(client.put(users(id(localpart)), admin, Json.object().put("password", "second-password")).status()).isEqualTo(200);
        assertError(client.get("/_matrix/client/v3/account/whoami", token), 401, "M_UNKNOWN_TOKEN");
        assertThat(client.login(localpart, "first-password", null).status()).isEqualTo(403);
        String second = client.login(localpart, "second-password", "DEV2").text("access_token");
        // ... unless told otherwise.
        assertThat(client.put(users(id(localpart)), admin, Json.object().put("password", "third-password").put("logout_devices", false))
                .status()).isEqualTo(200);
        assertThat(client.get("/_matrix/client/v3/account/whoami", second).status()).isEqualTo(200);

        // Deactivated, then reactivated.
        Resp off = client.put(users(id(localpart)), admin, Json.object().put("deactivated", true));
        assertThat(off.body().path("deactivated").asBoolean()).isTrue();
        assertError(client.get("/_matrix/client/v3/account/whoami", second), 401, "M_UNKNOWN_TOKEN");
        assertThat(client.login(localpart, "third-password", null).status()).isEqualTo(403);
        Resp on = client.put(users(id(localpart)), admin, Json.object().put("deactivated", false));
        assertThat(on.body().path("deactivated").asBoolean(true)).isFalse();
        assertThat(client.login(localpart, "third-password", null).status()).isEqualTo(200);
        // Removing the display name.
        assertThat(client.put(users(id(localpart)), admin, Json.object().put("displayname", "")).body().path("displayname").isNull()).isTrue();
    }

    @Test
    void putRefusesBadInput() {
        String[] dave = user("badput");
        String path = users(id(dave[0]));
        assertError(client.put(path, admin, null), 400, "M_NOT_JSON");
        assertError(client.put(path, admin, "{not json"), 400, "M_NOT_JSON");
        assertError(client.put(path, admin, "[1]"), 400, "M_BAD_JSON");
        assertError(client.put(path, admin, Json.object().put("admin", "yes")), 400, "M_BAD_JSON");
        assertError(client.put(path, admin, Json.object().put("password", 12345)), 400, "M_UNKNOWN");
        assertError(client.put(path, admin, Json.object().put("password", "x".repeat(513))), 400, "M_UNKNOWN");
        assertError(client.put(path, admin, Json.object().put("logout_devices", "no")), 400, "M_UNKNOWN");
        assertError(client.put(path, admin, Json.object().put("deactivated", "true")), 400, "M_UNKNOWN");
        assertError(client.put(path, admin, Json.object().put("displayname", "d".repeat(257))), 400, "M_UNKNOWN");
        assertError(client.put(path, admin, Json.object().put("displayname", 5)), 400, "M_INVALID_PARAM");
        assertError(client.put(path, admin, Json.object().put("avatar_url", "https://example.org/a.png")), 400, "M_INVALID_PARAM");
        assertError(client.put(path, admin, Json.object().put("user_type", "bot")), 400, "M_UNKNOWN");
        assertError(client.put(users("@dave:elsewhere.example"), admin, Json.object()), 400, "M_UNKNOWN");
        assertError(client.put(users("dave"), admin, Json.object()), 400, "M_INVALID_PARAM");
        assertError(client.put(users("@Capital" + (++counter) + ":" + hs), admin, Json.object()), 400, "M_INVALID_USERNAME");
        assertError(client.put(users("@12345:" + hs), admin, Json.object()), 400, "M_INVALID_USERNAME");
        assertError(client.put(users(id("root")), admin, Json.object().put("admin", false)), 400, "M_UNKNOWN");
        // None of it changed dave.
        Resp dave2 = client.get(path, admin);
        assertThat(dave2.text("displayname")).isEqualTo(dave[0]);
        assertThat(dave2.body().path("admin").asBoolean(true)).isFalse();
        assertThat(client.get("/_matrix/client/v3/account/whoami", dave[1]).status()).isEqualTo(200);
    }

    @Test
    void deactivationWithEraseRemovesTheProfileAndTheSessions() {
        String[] erin = user("erase");
        String path = "/_synapse/admin/v1/deactivate/" + TestClient.seg(id(erin[0]));
        assertError(client.post(path, admin, Json.object().put("erase", "yes")), 400, "M_BAD_JSON");
        assertError(client.post(path, admin, "[]"), 400, "M_BAD_JSON");
        Resp r = client.post(path, admin, Json.object().put("erase", true));
        assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
        assertThat(r.text("id_server_unbind_result")).isEqualTo("success");
        assertError(client.get("/_matrix/client/v3/account/whoami", erin[1]), 401, "M_UNKNOWN_TOKEN");
        Resp after = client.get(users(id(erin[0])), admin);
        assertThat(after.body().path("deactivated").asBoolean()).isTrue();
        assertThat(after.body().path("erased").asBoolean()).isTrue();
        assertThat(after.body().path("displayname").isNull()).isTrue();
        // Again, with no body at all: accepted.
        assertThat(client.post(path, admin, null).status()).isEqualTo(200);
        assertError(client.post("/_synapse/admin/v1/deactivate/" + TestClient.seg("@erin:elsewhere.example"), admin, null), 400, "M_UNKNOWN");
        assertError(client.post("/_synapse/admin/v1/deactivate/" + TestClient.seg("@nobody-here:" + hs), admin, null), 404, "M_NOT_FOUND");
        assertError(client.post("/_synapse/admin/v1/deactivate/erin", admin, null), 400, "M_INVALID_PARAM");
    }

    @Test
    void resetPasswordSetsItAndLogsOut() {
        String[] fay = user("reset");
        String path = "/_synapse/admin/v1/reset_password/" + TestClient.seg(id(fay[0]));
        assertError(client.post(path, admin, Json.object()), 400, "M_MISSING_PARAM");
        assertError(client.post(path, admin, null), 400, "M_NOT_JSON");
        assertError(client.post(path, admin, Json.object().put("new_password", 7)), 400, "M_BAD_JSON");
        assertError(client.post(path, admin, Json.object().put("new_password", "x").put("logout_devices", "no")), 400, "M_UNKNOWN");
        assertError(client.post("/_synapse/admin/v1/reset_password/" + TestClient.seg("@nobody-here:" + hs), admin,
                Json.object().put("new_password", "whatever")), 404, "M_NOT_FOUND");
        assertError(client.post("/_synapse/admin/v1/reset_password/" + TestClient.seg("@fay:elsewhere.example"), admin,
                Json.object().put("new_password", "whatever")), 404, "M_NOT_FOUND");
        Resp r = client.post(path, admin, Json.object().put("new_password", "brand-new-password"));
        assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
        assertThat(r.body().size()).isZero();
        assertError(client.get("/_matrix/client/v3/account/whoami", fay[1]), 401, "M_UNKNOWN_TOKEN");
        assertThat(client.login(fay[0], "brand-new-password", null).status()).isEqualTo(200);
        assertThat(client.login(fay[0], "pw-" + fay[0], null).status()).isEqualTo(403);
    }

    @Test
    void devicesAreListedReadAndDeleted() {
        String[] gus = user("devices");
        String one = client.login(gus[0], "pw-" + gus[0], "PHONE").text("access_token");
        String two = client.login(gus[0], "pw-" + gus[0], "LAPTOP").text("access_token");
        client.login(gus[0], "pw-" + gus[0], "TABLET");
        String base = users(id(gus[0])) + "/devices";
        Resp list = client.get(base, admin);
        assertThat(list.status()).as("%s", list.body()).isEqualTo(200);
        assertThat(list.body().path("total").asInt()).isEqualTo(4);
        List<String> ids = new ArrayList<>();
        list.body().path("devices").forEach(d -> ids.add(d.path("device_id").asText()));
        assertThat(ids).contains("PHONE", "LAPTOP", "TABLET");
        Resp phone = client.get(base + "/PHONE", admin);
        assertThat(phone.text("user_id")).isEqualTo(id(gus[0]));
        assertThat(phone.text("device_id")).isEqualTo("PHONE");
        for (String field : List.of("display_name", "last_seen_ip", "last_seen_user_agent", "last_seen_ts")) assertThat(phone.body().has(field)).isTrue();
        assertError(client.get(base + "/NOSUCH", admin), 404, "M_NOT_FOUND");

        assertThat(client.delete(base + "/PHONE", admin, null).status()).isEqualTo(200);
        assertError(client.get("/_matrix/client/v3/account/whoami", one), 401, "M_UNKNOWN_TOKEN");
        assertThat(client.delete(base + "/NOSUCH", admin, null).status()).isEqualTo(200);
        assertThat(client.post(users(id(gus[0])) + "/delete_devices", admin, Json.object().set("devices",
                Json.array().add("LAPTOP").add("NOSUCH"))).status()).isEqualTo(200);
        assertError(client.get("/_matrix/client/v3/account/whoami", two), 401, "M_UNKNOWN_TOKEN");
        assertThat(client.get(base, admin).body().path("total").asInt()).isEqualTo(2);

        assertError(client.post(users(id(gus[0])) + "/delete_devices", admin, Json.object()), 400, "M_MISSING_PARAM");
        assertError(client.post(users(id(gus[0])) + "/delete_devices", admin, Json.object().put("devices", "TABLET")), 400, "M_BAD_JSON");
        assertError(client.post(users(id(gus[0])) + "/delete_devices", admin, Json.object().set("devices", Json.array().add(3))), 400, "M_BAD_JSON");
        assertError(client.get(users("@nobody-here:" + hs) + "/devices", admin), 404, "M_NOT_FOUND");
        assertError(client.get(users("@gus:elsewhere.example") + "/devices", admin), 400, "M_UNKNOWN");
        assertThat(client.get(base, admin).body().path("total").asInt()).as("bad input deleted nothing").isEqualTo(2);
    }

    @Test
    void roomsAreListedSearchedAndDescribed() {
        String[] hal = user("rooms");
        String[] ivy = user("rooms");
        String tag = "r" + (++counter);
        String big = client.post("/_matrix/client/v3/createRoom", hal[1], Json.object().put("name", "Big " + tag)
                .put("topic", "A topic").put("room_alias_name", "big" + tag).put("preset", "public_chat").put("visibility", "public")).text("room_id");
        String small = client.post("/_matrix/client/v3/createRoom", hal[1], Json.object().put("name", "Small " + tag)).text("room_id");
        assertThat(client.post("/_matrix/client/v3/join/" + TestClient.seg(big), ivy[1], Json.object()).status()).isEqualTo(200);

        Resp byName = client.get("/_synapse/admin/v1/rooms?search_term=" + tag, admin);
        assertThat(byName.status()).as("%s", byName.body()).isEqualTo(200);
        assertThat(byName.body().path("total_rooms").asInt()).isEqualTo(2);
        assertThat(byName.body().path("offset").asInt()).isZero();
        assertThat(rooms(byName)).containsExactly(big, small);
        JsonNode entry = byName.body().path("rooms").get(0);
        assertThat(entry.path("name").asText()).isEqualTo("Big " + tag);
        assertThat(entry.path("canonical_alias").asText()).isEqualTo("#big" + tag + ":" + hs);
        assertThat(entry.path("joined_members").asInt()).isEqualTo(2);
        assertThat(entry.path("joined_local_members").asInt()).isEqualTo(2);
        assertThat(entry.path("creator").asText()).isEqualTo(id(hal[0]));
        assertThat(entry.path("join_rules").asText()).isEqualTo("public");
        assertThat(entry.path("federatable").asBoolean()).isTrue();
        assertThat(entry.path("state_events").asInt()).isGreaterThan(4);
        assertThat(entry.path("version").isTextual()).isTrue();
        assertThat(entry.has("room_type")).isTrue();

        Resp bySize = client.get("/_synapse/admin/v1/rooms?search_term=" + tag + "&order_by=joined_members&limit=1", admin);
        assertThat(rooms(bySize)).containsExactly(big);
        assertThat(bySize.body().path("next_batch").asInt()).isEqualTo(1);
        assertThat(bySize.body().has("prev_batch")).isFalse();
        Resp second = client.get("/_synapse/admin/v1/rooms?search_term=" + tag + "&order_by=joined_members&limit=1&from=1", admin);
        assertThat(rooms(second)).containsExactly(small);
        assertThat(second.body().path("prev_batch").asInt()).isZero();
        assertThat(second.body().has("next_batch")).isFalse();
        assertThat(rooms(client.get("/_synapse/admin/v1/rooms?search_term=" + tag + "&order_by=joined_members&dir=b", admin)))
                .containsExactly(small, big);
        assertThat(rooms(client.get("/_synapse/admin/v1/rooms?search_term=" + TestClient.seg(small), admin))).containsExactly(small);
        assertThat(rooms(client.get("/_synapse/admin/v1/rooms?search_term=big" + tag, admin))).containsExactly(big);

        Resp details = client.get("/_synapse/admin/v1/rooms/" + TestClient.seg(big), admin);
        assertThat(details.status()).as("%s", details.body()).isEqualTo(200);
        assertThat(details.text("topic")).isEqualTo("A topic");
        assertThat(details.body().path("joined_local_devices").asInt()).isEqualTo(2);
        assertThat(details.body().path("forgotten").asBoolean(true)).isFalse();
        assertThat(details.body().path("tombstoned").asBoolean(true)).isFalse();
        assertThat(details.body().path("public").asBoolean()).isTrue();

        Resp members = client.get("/_synapse/admin/v1/rooms/" + TestClient.seg(big) + "/members", admin);
        assertThat(members.body().path("total").asInt()).isEqualTo(2);
        List<String> memberIds = new ArrayList<>();
        members.body().path("members").forEach(m -> memberIds.add(m.asText()));
        assertThat(memberIds).containsExactlyInAnyOrder(id(hal[0]), id(ivy[0]));

        Resp state = client.get("/_synapse/admin/v1/rooms/" + TestClient.seg(big) + "/state", admin);
        assertThat(state.body().path("state").size()).isEqualTo(entry.path("state_events").asInt());
        Resp onlyMembers = client.get("/_synapse/admin/v1/rooms/" + TestClient.seg(big) + "/state?type=m.room.member", admin);
        assertThat(onlyMembers.body().path("state").size()).isEqualTo(2);
        onlyMembers.body().path("state").forEach(e -> {
            assertThat(e.path("type").asText()).isEqualTo("m.room.member");
            assertThat(e.path("event_id").asText()).startsWith("$");
            assertThat(e.has("signatures")).isFalse();
        });

        String unknown = "!nosuchroom:" + hs;
        for (String path : List.of("", "/members", "/state")) {
            assertError(client.get("/_synapse/admin/v1/rooms/" + TestClient.seg(unknown) + path, admin), 404, "M_NOT_FOUND");
        }
        for (String bad : List.of("search_term=", "order_by=colour", "dir=sideways", "limit=x", "from=-2", "public_rooms=perhaps")) {
            assertError(client.get("/_synapse/admin/v1/rooms?" + bad, admin), 400, "M_INVALID_PARAM");
        }
    }

    private static List<String> rooms(Resp r) {
        List<String> out = new ArrayList<>();
        r.body().path("rooms").forEach(room -> out.add(room.path("room_id").asText()));
        return out;
    }
}
