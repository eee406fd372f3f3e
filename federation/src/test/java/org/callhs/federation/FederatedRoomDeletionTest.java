package org.callhs.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.federation.FederatedRoomsTest.awaitBody;
import static org.callhs.federation.FederatedRoomsTest.joinThroughA;
import static org.callhs.federation.FederatedRoomsTest.path;
import static org.callhs.federation.FederatedRoomsTest.send;
import static org.callhs.federation.FederatedRoomsTest.syncRooms;

import org.callhs.core.storage.schema.Tables;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.testing.TestServer;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The admin room deletion with another server in the room: the server that deletes its copy
 * takes its own users out (the other server hears their leaves) and purges only its own data; a
 * room blocked on a server refuses the invites other servers send to its users.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class FederatedRoomDeletionTest extends TwoServersSuite {
    private static final String BLOCKED = "This room has been blocked on this server";

    private static String admin(TestServer server, String name) {
        return TestServer.registerAdmin(server.client(), ADMIN_SECRET, name);
    }

    private static int rowsOf(TestServer server, String roomId) {
        var dsl = server.homeserver().database().dsl();
        return dsl.fetchCount(Tables.EVENTS, Tables.EVENTS.ROOM_ID.eq(roomId)) + dsl.fetchCount(Tables.ROOMS, Tables.ROOMS.ROOM_ID.eq(roomId))
                + dsl.fetchCount(Tables.CURRENT_STATE, Tables.CURRENT_STATE.ROOM_ID.eq(roomId));
    }

    private static String membershipOnA(String token, String roomId, String userId) {
        Resp member = a.client().get(path(roomId) + "/state/m.room.member/" + TestClient.seg(userId), token);
        return member.status() == 200 ? member.body().path("membership").asText() : null;
    }

    @Test
    void aServerDeletesItsCopyOfAFederatedRoomAndBlocksItsUsersFromComingBack() {
        String n = String.valueOf(backend.ordinal());
        String adminB = admin(b, "root-b" + n);
        String alice = a.registerToken("del-alice" + n);
        String bob = b.registerToken("del-bob" + n);
        String bobId = "@del-bob" + n + ":" + nameB();
        String roomId = a.client().post("/_matrix/client/v3/createRoom", alice, Json.object().put("preset", "public_chat")).text("room_id");
        Resp joined = joinThroughA(bob, roomId);
        assertThat(joined.status()).as("%s", joined.body()).isEqualTo(200);
        send(b, bob, roomId, "hello from B " + n);
        awaitBody(a, alice, roomId, "hello from B " + n);
        assertThat(rowsOf(b, roomId)).isPositive();

        Resp deleted = b.client().delete("/_synapse/admin/v1/rooms/" + TestClient.seg(roomId), adminB, Json.object().put("block", true));
        assertThat(deleted.status()).as("%s", deleted.body()).isEqualTo(200);
        assertThat(deleted.body().path("kicked_users").toString()).contains(bobId);
        // A hears Bob's leave; B holds nothing of the room; A's copy is untouched.
        FederationApiTest.waitFor(() -> "leave".equals(membershipOnA(alice, roomId, bobId)) ? Json.object() : null);
        assertThat(rowsOf(b, roomId)).isZero();
        send(a, alice, roomId, "still here " + n);
        assertThat(rowsOf(a, roomId)).isPositive();

        // Blocked on B: Bob cannot join again, and an invite from A is refused by B.
        Resp again = joinThroughA(bob, roomId);
        assertThat(again.status()).isEqualTo(403);
        assertThat(again.text("error")).isEqualTo(BLOCKED);
        Resp invite = a.client().post(path(roomId) + "/invite", alice, Json.object().put("user_id", bobId));
        assertThat(invite.status()).as("%s", invite.body()).isEqualTo(403);
        assertThat(syncRooms(b, bob, "invite").has(roomId)).isFalse();
        assertThat(membershipOnA(alice, roomId, bobId)).isEqualTo("leave");

        // Unblocked, the invite goes through again.
        assertThat(b.client().put("/_synapse/admin/v1/rooms/" + TestClient.seg(roomId) + "/block", adminB,
                Json.object().put("block", false)).status()).isEqualTo(200);
        Resp secondInvite = a.client().post(path(roomId) + "/invite", alice, Json.object().put("user_id", bobId));
        assertThat(secondInvite.status()).as("%s", secondInvite.body()).isEqualTo(200);
        FederationApiTest.waitFor(() -> syncRooms(b, bob, "invite").has(roomId) ? Json.object() : null);
    }
}
