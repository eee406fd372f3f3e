package org.callhs.core.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.Homeserver;
import org.callhs.core.config.ConfigLoader;
import org.callhs.core.storage.schema.Tables;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.testing.TestDatabases;
import org.callhs.core.testing.TestServer;
import org.callhs.core.util.Json;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The admin API's room deletion (v1 at once, v2 in the background with its status) and room
 * blocking, over HTTP on both databases: who is moved where, what is left in the database, what
 * blocked rooms refuse, Synapse's answers to bad input, and a background deletion that a stop
 * interrupted finishing after the restart.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class RoomDeletionTest {
    private static final String SECRET = "deletion test secret";
    private static TestServer server;
    private static TestClient client;
    private static String admin;
    private static int counter;

    @Parameter
    Backend backend;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) {
        server = TestServer.start(backend, "registration.shared_secret=\"" + SECRET + "\"");
        client = server.client();
        admin = server.registerAdmin(SECRET, "root");
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        server.close();
    }

    /** A fresh local user; returns {userId, token}. */
    private static String[] user(String prefix) {
        String localpart = prefix + (++counter);
        Resp r = client.register(localpart, "pw-" + localpart);
        assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
        return new String[] {"@" + localpart + ":localhost", r.text("access_token")};
    }

    private static String room(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    private static String v1(String roomId) { return "/_synapse/admin/v1/rooms/" + TestClient.seg(roomId); }

    private static String v2(String roomId) { return "/_synapse/admin/v2/rooms/" + TestClient.seg(roomId); }

    private static void assertError(Resp r, int status, String errcode, String message) {
        assertThat(r.status()).as("%s", r.body()).isEqualTo(status);
        assertThat(r.errcode()).as("%s", r.body()).isEqualTo(errcode);
        if (message != null) assertThat(r.text("error")).contains(message);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    /** Rows that name the room, table by table, so a purge can be checked to leave none. */
    private static List<Integer> rowsOf(DSLContext dsl, String roomId) {
        return List.of(
                dsl.fetchCount(Tables.ROOMS, Tables.ROOMS.ROOM_ID.eq(roomId)),
                dsl.fetchCount(Tables.EVENTS, Tables.EVENTS.ROOM_ID.eq(roomId)),
                dsl.fetchCount(Tables.CURRENT_STATE, Tables.CURRENT_STATE.ROOM_ID.eq(roomId)),
                dsl.fetchCount(Tables.STATE_GROUPS, Tables.STATE_GROUPS.ROOM_ID.eq(roomId)),
                dsl.fetchCount(Tables.ROOM_FORWARD_EXTREMITIES, Tables.ROOM_FORWARD_EXTREMITIES.ROOM_ID.eq(roomId)),
                dsl.fetchCount(Tables.ROOM_ALIASES, Tables.ROOM_ALIASES.ROOM_ID.eq(roomId)),
                dsl.fetchCount(Tables.RECEIPTS, Tables.RECEIPTS.ROOM_ID.eq(roomId)),
                dsl.fetchCount(Tables.ACCOUNT_DATA, Tables.ACCOUNT_DATA.ROOM_ID.eq(roomId)),
                dsl.fetchCount(Tables.EVENT_RELATIONS, Tables.EVENT_RELATIONS.ROOM_ID.eq(roomId)),
                dsl.fetchCount(Tables.FORGOTTEN_ROOMS, Tables.FORGOTTEN_ROOMS.ROOM_ID.eq(roomId)),
                dsl.fetchOne("SELECT COUNT(*) FROM event_search WHERE room_id = ?", roomId).get(0, Integer.class));
    }

    /** A room with some of everything: members joined and invited, an alias, messages, a reply, a receipt and a tag. */
    private static String busyRoom(String[] owner, String[] joined, String[] invited, String aliasName) {
        String roomId = client.post("/_matrix/client/v3/createRoom", owner[1], Json.object().put("preset", "public_chat")
                .put("room_alias_name", aliasName).put("name", "Doomed")).text("room_id");
        assertThat(client.post(room(roomId) + "/join", joined[1], Json.object()).status()).isEqualTo(200);
        assertThat(client.post(room(roomId) + "/invite", owner[1], Json.object().put("user_id", invited[0])).status()).isEqualTo(200);
        String first = client.put(room(roomId) + "/send/m.room.message/t1", joined[1],
                Json.object().put("msgtype", "m.text").put("body", "searchable words")).text("event_id");
        client.put(room(roomId) + "/send/m.room.message/t2", owner[1], Json.object().put("msgtype", "m.text").put("body", "a reply")
                .set("m.relates_to", Json.object().put("rel_type", "m.thread").put("event_id", first)));
        assertThat(client.post(room(roomId) + "/receipt/m.read/" + TestClient.seg(first), owner[1], "{}").status()).isEqualTo(200);
        assertThat(client.put("/_matrix/client/v3/user/" + TestClient.seg(joined[0]) + "/rooms/" + TestClient.seg(roomId)
                + "/tags/u.work", joined[1], Json.object()).status()).isEqualTo(200);
        return roomId;
    }

    @Test
    void everyEndpointIsForAdminsOnly() {
        String[] mallory = user("mallory");
        String roomId = client.post("/_matrix/client/v3/createRoom", mallory[1], Json.object()).text("room_id");
        for (String[] call : List.of(new String[] {"DELETE", v1(roomId)}, new String[] {"DELETE", v2(roomId)},
                new String[] {"GET", v2(roomId) + "/delete_status"}, new String[] {"GET", "/_synapse/admin/v2/rooms/delete_status/abc"},
                new String[] {"GET", v1(roomId) + "/block"}, new String[] {"PUT", v1(roomId) + "/block"})) {
            Resp r = client.call(call[0], call[1], mallory[1], Json.object().put("block", true));
            assertError(r, 403, "M_FORBIDDEN", "You are not a server admin");
        }
        assertError(client.call("DELETE", v1(roomId), null, Json.object()), 401, "M_MISSING_TOKEN", null);
        assertThat(client.get(room(roomId) + "/state/m.room.create/", mallory[1]).status()).isEqualTo(200);
    }

    @Test
    void badInputIsRefusedAsSynapseRefusesIt() {
        String[] owner = user("owner");
        String roomId = client.post("/_matrix/client/v3/createRoom", owner[1], Json.object()).text("room_id");
        for (String path : List.of(v1(roomId), v2(roomId))) {
            assertError(client.call("DELETE", path, admin, null), 400, "M_NOT_JSON", null);
            assertError(client.call("DELETE", path, admin, "[]"), 400, "M_BAD_JSON", null);
            assertError(client.call("DELETE", path, admin, "{nope"), 400, "M_NOT_JSON", null);
            for (String key : List.of("block", "purge", "force_purge")) {
                assertError(client.call("DELETE", path, admin, Json.object().put(key, "yes")), 400, "M_BAD_JSON",
                        "Param '" + key + "' must be a boolean, if given");
            }
            assertError(client.call("DELETE", path, admin, Json.object().put("room_name", 5)), 400, "M_BAD_JSON", "room_name");
            assertError(client.call("DELETE", path, admin, Json.object().put("message", true)), 400, "M_BAD_JSON", "message");
            assertError(client.call("DELETE", path, admin, Json.object().put("new_room_user_id", "@someone:elsewhere.example")),
                    400, "M_UNKNOWN", "User must be our own: @someone:elsewhere.example");
            assertError(client.call("DELETE", path, admin, Json.object().put("new_room_user_id", "not a user")),
                    400, "M_INVALID_PARAM", null);
        }
        for (String bad : List.of("not-a-room", "#alias:localhost")) {
            assertError(client.call("DELETE", "/_synapse/admin/v1/rooms/" + TestClient.seg(bad), admin, Json.object()), 400, "M_UNKNOWN",
                    bad + " is not a legal room ID");
            assertError(client.call("DELETE", "/_synapse/admin/v2/rooms/" + TestClient.seg(bad), admin, Json.object()), 400, "M_UNKNOWN",
                    "is not a legal room ID");
            assertError(client.get("/_synapse/admin/v2/rooms/" + TestClient.seg(bad) + "/delete_status", admin), 400, "M_UNKNOWN",
                    "is not a legal room ID");
            assertError(client.get("/_synapse/admin/v1/rooms/" + TestClient.seg(bad) + "/block", admin), 400, "M_UNKNOWN",
                    "is not a legal room ID");
        }
        assertError(client.get(v2(roomId) + "/delete_status", admin), 404, "M_NOT_FOUND", "No delete task for room_id");
        assertError(client.get("/_synapse/admin/v2/rooms/delete_status/nothing-here", admin), 404, "M_NOT_FOUND",
                "delete id 'nothing-here' not found");
        assertError(client.put(v1(roomId) + "/block", admin, Json.object()), 400, "M_MISSING_PARAM", "block");
        assertError(client.put(v1(roomId) + "/block", admin, Json.object().put("block", "true")), 400, "M_BAD_JSON",
                "Param 'block' must be a boolean.");
        assertError(client.call("PUT", v1(roomId) + "/block", admin, null), 400, "M_NOT_JSON", null);
        // Nothing above changed the room.
        assertThat(client.get(v1(roomId), admin).status()).isEqualTo(200);
        assertThat(client.get(v1(roomId) + "/block", admin).body().path("block").asBoolean()).isFalse();
    }

    @Test
    void deletingMovesLocalUsersToANewRoomAndPurgesEverything() {
        String[] owner = user("owner");
        String[] alice = user("alice");
        String[] bob = user("bob");
        String aliasName = "doomed" + counter;
        String roomId = busyRoom(owner, alice, bob, aliasName);
        String alias = "#" + aliasName + ":localhost";
        String adminId = client.get("/_matrix/client/v3/account/whoami", admin).text("user_id");
        assertThat(rowsOf(server.homeserver().database().dsl(), roomId)).anyMatch(n -> n > 0);

        Resp deleted = client.delete(v1(roomId), admin, Json.object().put("new_room_user_id", adminId).put("room_name", "Moved")
                .put("message", "This room was closed.").put("block", true));
        assertThat(deleted.status()).as("%s", deleted.body()).isEqualTo(200);
        assertThat(strings(deleted.body().path("kicked_users"))).containsExactlyInAnyOrder(owner[0], alice[0], bob[0]);
        assertThat(strings(deleted.body().path("failed_to_kick_users"))).isEmpty();
        assertThat(strings(deleted.body().path("local_aliases"))).containsExactly(alias);
        String newRoom = deleted.text("new_room_id");
        assertThat(newRoom).startsWith("!");

        // The old room is gone, every row of it.
        assertThat(rowsOf(server.homeserver().database().dsl(), roomId)).allMatch(n -> n == 0);
        assertError(client.get(v1(roomId), admin), 404, "M_NOT_FOUND", null);
        assertThat(client.get(room(roomId) + "/messages?dir=b", alice[1]).status()).isIn(403, 404);
        // The alias and the joined users moved to the new room; the invited user did not join it.
        assertThat(client.get("/_matrix/client/v3/directory/room/" + TestClient.seg(alias), null).text("room_id")).isEqualTo(newRoom);
        JsonNode members = client.get(v1(newRoom) + "/members", admin).body().path("members");
        assertThat(strings(members)).containsExactlyInAnyOrder(adminId, owner[0], alice[0]);
        JsonNode state = client.get(v1(newRoom) + "/state", admin).body().path("state");
        boolean named = false;
        for (JsonNode event : state) {
            if (event.path("type").asText().equals("m.room.name")) named = event.path("content").path("name").asText().equals("Moved");
            if (event.path("type").asText().equals("m.room.power_levels")) {
                assertThat(event.path("content").path("users_default").asInt()).isEqualTo(-10);
            }
        }
        assertThat(named).isTrue();
        JsonNode messages = client.get(room(newRoom) + "/messages?dir=b&limit=5", alice[1]).body().path("chunk");
        assertThat(messages.get(0).path("content").path("body").asText()).isEqualTo("This room was closed.");
        assertThat(messages.get(0).path("sender").asText()).isEqualTo(adminId);
        // Nobody's sync shows the old room any more.
        JsonNode sync = client.get("/_matrix/client/v3/sync", alice[1]).body().path("rooms");
        for (String section : List.of("join", "invite", "leave")) assertThat(sync.path(section).has(roomId)).isFalse();
        assertThat(client.get("/_matrix/client/v3/sync", bob[1]).body().path("rooms").path("invite").has(roomId)).isFalse();
        // Blocked: nobody may join again, and the block names the admin.
        assertError(client.post(room(roomId) + "/join", alice[1], Json.object()), 403, "M_FORBIDDEN",
                "This room has been blocked on this server");
        Resp block = client.get(v1(roomId) + "/block", admin);
        assertThat(block.body().path("block").asBoolean()).isTrue();
        assertThat(block.text("user_id")).isEqualTo(adminId);
        // Deleting again finds nothing to do.
        Resp again = client.delete(v1(roomId), admin, Json.object());
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().path("kicked_users")).isEmpty();
        assertThat(again.body().path("new_room_id").isNull()).isTrue();
    }

    @Test
    void withoutPurgeTheRoomStaysButItsLocalUsersLeaveIt() {
        String[] owner = user("owner");
        String[] alice = user("alice");
        String[] bob = user("bob");
        String roomId = busyRoom(owner, alice, bob, "kept" + counter);
        Resp deleted = client.delete(v1(roomId), admin, Json.object().put("purge", false));
        assertThat(deleted.status()).as("%s", deleted.body()).isEqualTo(200);
        assertThat(strings(deleted.body().path("kicked_users"))).containsExactlyInAnyOrder(owner[0], alice[0], bob[0]);
        assertThat(deleted.body().path("local_aliases")).isEmpty();
        assertThat(deleted.body().path("new_room_id").isNull()).isTrue();
        Resp details = client.get(v1(roomId), admin);
        assertThat(details.status()).isEqualTo(200);
        assertThat(details.body().path("joined_members").asInt()).isZero();
        // Not blocked: a user may come back (the room is public).
        assertThat(client.post(room(roomId) + "/join", alice[1], Json.object()).status()).isEqualTo(200);
    }

    @Test
    void anUnknownRoomCanBeBlockedAhead() {
        String unknown = "!never-seen-" + (++counter) + ":elsewhere.example";
        Resp deleted = client.delete(v1(unknown), admin, Json.object().put("block", true));
        assertThat(deleted.status()).as("%s", deleted.body()).isEqualTo(200);
        assertThat(deleted.body().path("kicked_users")).isEmpty();
        assertThat(client.get(v1(unknown) + "/block", admin).body().path("block").asBoolean()).isTrue();
        String[] carol = user("carol");
        assertError(client.post(room(unknown) + "/join", carol[1], Json.object()), 403, "M_FORBIDDEN",
                "This room has been blocked on this server");
    }

    @Test
    void aBlockedRoomRefusesJoinsInvitesAndKnocksButNotLeaves() {
        String[] owner = user("owner");
        String[] dave = user("dave");
        String[] erin = user("erin");
        String roomId = client.post("/_matrix/client/v3/createRoom", owner[1], Json.object().put("preset", "public_chat")).text("room_id");
        assertThat(client.post(room(roomId) + "/join", dave[1], Json.object()).status()).isEqualTo(200);
        Resp blocked = client.put(v1(roomId) + "/block", admin, Json.object().put("block", true));
        assertThat(blocked.status()).isEqualTo(200);
        assertThat(blocked.body().path("block").asBoolean()).isTrue();
        String refused = "This room has been blocked on this server";
        assertError(client.post(room(roomId) + "/join", erin[1], Json.object()), 403, "M_FORBIDDEN", refused);
        assertError(client.post("/_matrix/client/v3/join/" + TestClient.seg(roomId), erin[1], Json.object()), 403, "M_FORBIDDEN", refused);
        assertError(client.post("/_matrix/client/v3/knock/" + TestClient.seg(roomId), erin[1], Json.object()), 403, "M_FORBIDDEN", refused);
        assertError(client.post(room(roomId) + "/invite", owner[1], Json.object().put("user_id", erin[0])), 403, "M_FORBIDDEN", refused);
        assertError(client.put(room(roomId) + "/state/m.room.member/" + TestClient.seg(erin[0]), owner[1],
                Json.object().put("membership", "invite")), 403, "M_FORBIDDEN", refused);
        assertThat(client.post(room(roomId) + "/leave", dave[1], Json.object()).status()).isEqualTo(200);
        assertThat(client.post(room(roomId) + "/ban", owner[1], Json.object().put("user_id", dave[0])).status()).isEqualTo(200);
        // Unblocked, the room takes joins again.
        Resp unblocked = client.put(v1(roomId) + "/block", admin, Json.object().put("block", false));
        assertThat(unblocked.body().path("block").asBoolean()).isFalse();
        assertThat(client.get(v1(roomId) + "/block", admin).body().has("user_id")).isFalse();
        assertThat(client.post(room(roomId) + "/join", erin[1], Json.object()).status()).isEqualTo(200);
    }

    @Test
    void aBackgroundDeletionReportsItsProgressUntilComplete() throws Exception {
        String[] owner = user("owner");
        String[] alice = user("alice");
        String[] bob = user("bob");
        String roomId = busyRoom(owner, alice, bob, "later" + counter);
        Resp scheduled = client.delete(v2(roomId), admin, Json.object());
        assertThat(scheduled.status()).as("%s", scheduled.body()).isEqualTo(200);
        String deleteId = scheduled.text("delete_id");
        assertThat(deleteId).isNotBlank();
        JsonNode status = awaitFinished(deleteId);
        assertThat(status.path("status").asText()).as("%s", status).isEqualTo("complete");
        assertThat(status.path("room_id").asText()).isEqualTo(roomId);
        assertThat(status.path("delete_id").asText()).isEqualTo(deleteId);
        assertThat(strings(status.path("shutdown_room").path("kicked_users"))).containsExactlyInAnyOrder(owner[0], alice[0], bob[0]);
        assertThat(rowsOf(server.homeserver().database().dsl(), roomId)).allMatch(n -> n == 0);
        JsonNode byRoom = client.get(v2(roomId) + "/delete_status", admin).body().path("results");
        assertThat(byRoom).hasSize(1);
        assertThat(byRoom.get(0).path("delete_id").asText()).isEqualTo(deleteId);
        assertThat(byRoom.get(0).path("status").asText()).isEqualTo("complete");
        // Deleting again is a new task that finds nothing left to do.
        String second = client.delete(v2(roomId), admin, Json.object()).text("delete_id");
        assertThat(awaitFinished(second).path("status").asText()).isEqualTo("complete");
        assertThat(client.get(v2(roomId) + "/delete_status", admin).body().path("results")).hasSize(2);
    }

    private static JsonNode awaitFinished(String deleteId) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            Resp r = client.get("/_synapse/admin/v2/rooms/delete_status/" + TestClient.seg(deleteId), admin);
            assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
            String status = r.text("status");
            assertThat(status).isIn("scheduled", "active", "complete", "failed");
            if (status.equals("complete") || status.equals("failed")) return r.body();
            assertThat(System.nanoTime()).as("deletion %s still %s", deleteId, status).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** A background deletion a stop interrupted (still 'active' in the table) runs again, to the end, at the next start. */
    @Test
    void anInterruptedDeletionFinishesAfterARestart() throws Exception {
        Path dataDir = Files.createTempDirectory("callhs-deletion-restart-");
        List<String> sets = List.of("listen=\"127.0.0.1:0\"", "federation.listen=\"127.0.0.1:0\"", "data_dir=\"" + dataDir + "\"",
                "database.url=\"" + TestDatabases.create(backend) + "\"", "registration.enabled=true", "rate_limits.enabled=false",
                "registration.shared_secret=\"" + SECRET + "\"");
        String roomId;
        String adminToken;
        try (Homeserver first = Homeserver.start(ConfigLoader.load(null, sets, List.of()), List.of(), Clock.systemUTC())) {
            TestClient c = new TestClient("http://127.0.0.1:" + first.clientPort());
            String token = c.register("keeper", "pw").text("access_token");
            roomId = c.post("/_matrix/client/v3/createRoom", token, Json.object()).text("room_id");
            c.put(room(roomId) + "/send/m.room.message/t1", token, Json.object().put("msgtype", "m.text").put("body", "hi"));
            // As a stop in the middle of the shutdown leaves it: active, nobody moved yet.
            long now = System.currentTimeMillis();
            first.database().dsl().insertInto(Tables.ROOM_DELETIONS)
                    .set(Tables.ROOM_DELETIONS.DELETE_ID, "interrupted").set(Tables.ROOM_DELETIONS.ROOM_ID, roomId)
                    .set(Tables.ROOM_DELETIONS.STATUS, "active").set(Tables.ROOM_DELETIONS.INSTANCE, "main")
                    .set(Tables.ROOM_DELETIONS.PARAMS, new RoomShutdown.Params("@root:localhost", null, null, null, false, true, false)
                            .toJson().toString())
                    .set(Tables.ROOM_DELETIONS.CREATED_TS, now).set(Tables.ROOM_DELETIONS.UPDATED_TS, now).execute();
            adminToken = token;
        }
        try (Homeserver second = Homeserver.start(ConfigLoader.load(null, sets, List.of()), List.of(), Clock.systemUTC())) {
            TestClient c = new TestClient("http://127.0.0.1:" + second.clientPort());
            String root = TestServer.registerAdmin(c, SECRET, "root");
            long deadline = System.nanoTime() + 30_000_000_000L;
            Resp r;
            do {
                Thread.sleep(50);
                r = c.get("/_synapse/admin/v2/rooms/delete_status/interrupted", root);
                assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
            } while (!r.text("status").equals("complete") && !r.text("status").equals("failed") && System.nanoTime() < deadline);
            assertThat(r.text("status")).as("%s", r.body()).isEqualTo("complete");
            assertThat(strings(r.body().path("shutdown_room").path("kicked_users"))).containsExactly("@keeper:localhost");
            assertThat(rowsOf(second.database().dsl(), roomId)).allMatch(n -> n == 0);
            assertThat(c.get("/_matrix/client/v3/joined_rooms", adminToken).body().path("joined_rooms")).isEmpty();
        }
    }
}
