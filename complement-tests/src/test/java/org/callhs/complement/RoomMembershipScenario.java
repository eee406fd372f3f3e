package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.Homeserver;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.Names;
import org.callhs.complement.harness.Rooms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * Membership between users of one server: invite, join, leave, kick, ban, unban, knock, join by
 * alias, and the membership lists ({@code joined_rooms}, {@code members} with filters,
 * {@code joined_members}).
 */
@HomeserverScenario
class RoomMembershipScenario {

    private static final String PASSWORD = "room-membership-password";

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, RoomMembershipScenario.class);
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private static Homeserver hs() { return deployment.hs1(); }

    private static CsApiClient newUser(String prefix) {
        return hs().client().register(Names.unique(prefix), PASSWORD);
    }

    private static String membership(CsApiClient reader, String roomId, String userId) {
        return Rooms.state(reader, roomId, "m.room.member", userId).path("membership").asText();
    }

    /** user ID -> membership from {@code GET /members} with optional query parameters. */
    private static Map<String, String> members(CsApiClient reader, String roomId, String... query) {
        var request = reader.request("GET", "rooms", roomId, "members");
        for (int i = 0; i + 1 < query.length; i += 2) request.query(query[i], query[i + 1]);
        JsonNode body = request.send().assertOk();
        Map<String, String> out = new java.util.TreeMap<>();
        for (JsonNode event : body.path("chunk")) {
            assertThat(event.path("type").asText()).isEqualTo("m.room.member");
            assertThat(out.put(event.path("state_key").asText(), event.path("content").path("membership").asText()))
                    .as("one member event per user in %s", body).isNull();
        }
        return out;
    }

    @Test
    void inviteJoinLeave() {
        CsApiClient alice = newUser("alice");
        CsApiClient bob = newUser("bob");
        bob.put(obj("displayname", "Bob B"), "profile", bob.userId(), "displayname").assertOk();
        String roomId = Rooms.create(alice, obj("preset", "private_chat"));

        bob.post(obj(), "rooms", roomId, "join").assertError(403, "M_FORBIDDEN");
        bob.post(obj(), "join", roomId).assertError(403, "M_FORBIDDEN");
        assertThat(Rooms.joinedRooms(bob)).doesNotContain(roomId);

        Rooms.invite(alice, roomId, bob.userId());
        JsonNode invite = Rooms.stateEvent(alice, roomId, "m.room.member", bob.userId());
        assertThat(invite.path("content").path("membership").asText()).isEqualTo("invite");
        assertThat(invite.path("sender").asText()).isEqualTo(alice.userId());
        assertThat(Rooms.joinedRooms(bob)).as("an invite is not a join").doesNotContain(roomId);

        JsonNode joined = bob.post(obj(), "rooms", roomId, "join").assertOk();
        assertThat(joined.path("room_id").asText()).isEqualTo(roomId);
        assertThat(Rooms.joinedRooms(bob)).contains(roomId);
        JsonNode bobMember = Rooms.stateEvent(alice, roomId, "m.room.member", bob.userId());
        assertThat(bobMember.path("content").path("membership").asText()).isEqualTo("join");
        assertThat(bobMember.path("content").path("displayname").asText()).as("displayname from the profile").isEqualTo("Bob B");
        assertThat(bobMember.path("unsigned").path("prev_content").path("membership").asText())
                .as("prev_content of %s", bobMember).isEqualTo("invite");

        JsonNode joinedMembers = bob.get("rooms", roomId, "joined_members").assertOk().path("joined");
        assertThat(names(joinedMembers)).containsExactlyInAnyOrder(alice.userId(), bob.userId());
        assertThat(joinedMembers.path(bob.userId()).path("display_name").asText()).isEqualTo("Bob B");

        Rooms.leave(bob, roomId);
        assertThat(Rooms.joinedRooms(bob)).doesNotContain(roomId);
        assertThat(membership(alice, roomId, bob.userId())).isEqualTo("leave");
        assertThat(names(alice.get("rooms", roomId, "joined_members").assertOk().path("joined")))
                .containsExactly(alice.userId());
        bob.post(obj(), "rooms", roomId, "join").assertError(403, "M_FORBIDDEN");

        // Someone who never was in the room may not invite.
        CsApiClient carol = newUser("carol");
        carol.post(obj("user_id", bob.userId()), "rooms", roomId, "invite").assertError(403, "M_FORBIDDEN");
    }

    @Test
    void kickBanUnban() {
        CsApiClient alice = newUser("mod");
        CsApiClient bob = newUser("troll");
        String roomId = Rooms.create(alice, obj("preset", "public_chat"));
        Rooms.join(bob, roomId);

        alice.post(obj("user_id", bob.userId(), "reason", "calm down"), "rooms", roomId, "kick").assertOk();
        JsonNode kick = Rooms.stateEvent(alice, roomId, "m.room.member", bob.userId());
        assertThat(kick.path("content").path("membership").asText()).isEqualTo("leave");
        assertThat(kick.path("content").path("reason").asText()).isEqualTo("calm down");
        assertThat(kick.path("sender").asText()).as("a kick is sent by the kicker").isEqualTo(alice.userId());
        assertThat(Rooms.joinedRooms(bob)).doesNotContain(roomId);

        Rooms.join(bob, roomId); // public room: a kicked user may come back
        alice.post(obj("user_id", bob.userId(), "reason", "enough"), "rooms", roomId, "ban").assertOk();
        assertThat(membership(alice, roomId, bob.userId())).isEqualTo("ban");
        assertThat(Rooms.joinedRooms(bob)).doesNotContain(roomId);
        bob.post(obj(), "rooms", roomId, "join").assertError(403, "M_FORBIDDEN");
        bob.post(obj(), "join", roomId).assertError(403, "M_FORBIDDEN");
        alice.post(obj("user_id", bob.userId()), "rooms", roomId, "invite").assertError(403, "M_FORBIDDEN");

        alice.post(obj("user_id", bob.userId()), "rooms", roomId, "unban").assertOk();
        JsonNode unban = Rooms.stateEvent(alice, roomId, "m.room.member", bob.userId());
        assertThat(unban.path("content").path("membership").asText()).isEqualTo("leave");
        assertThat(unban.path("unsigned").path("prev_content").path("membership").asText()).isEqualTo("ban");
        Rooms.join(bob, roomId);
        assertThat(Rooms.joinedRooms(bob)).contains(roomId);

        // Banning someone who is not in the room at all works too, and keeps them out.
        CsApiClient carol = newUser("preemptive");
        alice.post(obj("user_id", carol.userId()), "rooms", roomId, "ban").assertOk();
        carol.post(obj(), "rooms", roomId, "join").assertError(403, "M_FORBIDDEN");
    }

    @Test
    void kickAndBanNeedMorePowerThanTheTarget() {
        CsApiClient alice = newUser("owner");
        CsApiClient bob = newUser("halfmod");
        CsApiClient carol = newUser("member");
        String roomId = Rooms.create(alice, obj("preset", "public_chat"));
        Rooms.join(bob, roomId);
        Rooms.join(carol, roomId);

        bob.post(obj("user_id", carol.userId()), "rooms", roomId, "kick").assertError(403, "M_FORBIDDEN");
        bob.post(obj("user_id", alice.userId()), "rooms", roomId, "kick").assertError(403, "M_FORBIDDEN");

        Rooms.putState(alice, roomId, "m.room.power_levels", "", powerLevels(alice, roomId, Map.of(bob.userId(), 50)));
        bob.post(obj("user_id", alice.userId()), "rooms", roomId, "kick").assertError(403, "M_FORBIDDEN");
        bob.post(obj("user_id", alice.userId()), "rooms", roomId, "ban").assertError(403, "M_FORBIDDEN");
        assertThat(membership(alice, roomId, alice.userId())).isEqualTo("join");
        bob.post(obj("user_id", carol.userId()), "rooms", roomId, "kick").assertOk();
        assertThat(membership(alice, roomId, carol.userId())).isEqualTo("leave");
    }

    /** The room's current power levels with {@code users} entries added. */
    private static Map<String, Object> powerLevels(CsApiClient reader, String roomId, Map<String, Integer> users) {
        @SuppressWarnings("unchecked")
        Map<String, Object> pl = org.callhs.complement.harness.Json.MAPPER.convertValue(
                Rooms.state(reader, roomId, "m.room.power_levels", ""), Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> current = (Map<String, Object>) pl.getOrDefault("users", new java.util.LinkedHashMap<>());
        current.putAll(users);
        pl.put("users", current);
        return pl;
    }

    @Test
    void knockThenInvite() {
        CsApiClient alice = newUser("door");
        CsApiClient bob = newUser("knocker");
        String roomId = Rooms.create(alice, obj("preset", "private_chat", "initial_state",
                List.of(obj("type", "m.room.join_rules", "state_key", "", "content", obj("join_rule", "knock")))));
        assertThat(Rooms.state(alice, roomId, "m.room.join_rules", "").path("join_rule").asText()).isEqualTo("knock");

        bob.post(obj(), "rooms", roomId, "join").assertError(403, "M_FORBIDDEN");
        JsonNode knocked = bob.post(obj("reason", "let me in"), "knock", roomId).assertOk();
        assertThat(knocked.path("room_id").asText()).isEqualTo(roomId);
        JsonNode knock = Rooms.stateEvent(alice, roomId, "m.room.member", bob.userId());
        assertThat(knock.path("content").path("membership").asText()).isEqualTo("knock");
        assertThat(knock.path("content").path("reason").asText()).isEqualTo("let me in");
        assertThat(knock.path("sender").asText()).isEqualTo(bob.userId());
        assertThat(members(alice, roomId, "membership", "knock")).containsOnlyKeys(bob.userId());
        bob.post(obj(), "rooms", roomId, "join").assertError(403, "M_FORBIDDEN");

        Rooms.invite(alice, roomId, bob.userId());
        assertThat(membership(alice, roomId, bob.userId())).isEqualTo("invite");
        Rooms.join(bob, roomId);
        assertThat(membership(alice, roomId, bob.userId())).isEqualTo("join");
        assertThat(Rooms.joinedRooms(bob)).contains(roomId);

        // Knocking is only for rooms whose join rule says so.
        CsApiClient carol = newUser("wrongdoor");
        String inviteOnly = Rooms.create(alice, obj("preset", "private_chat"));
        carol.post(obj(), "knock", inviteOnly).assertError(403, "M_FORBIDDEN");
    }

    @Test
    void joinByAlias() {
        CsApiClient alice = newUser("host");
        CsApiClient bob = newUser("guest");
        String aliasName = "lobby-" + Names.random(8);
        String roomId = Rooms.create(alice, obj("preset", "public_chat", "room_alias_name", aliasName));
        String alias = "#" + aliasName + ":" + hs().serverName();

        JsonNode joined = bob.post(obj(), "join", alias).assertOk();
        assertThat(joined.path("room_id").asText()).isEqualTo(roomId);
        assertThat(Rooms.joinedRooms(bob)).contains(roomId);
        assertThat(membership(alice, roomId, bob.userId())).isEqualTo("join");

        bob.post(obj(), "join", "#no-such-" + Names.random(8) + ":" + hs().serverName()).assertError(404, "M_NOT_FOUND");
        bob.post(obj(), "join", "!no-such-" + Names.random(8) + ":" + hs().serverName()).assertError(404, "M_NOT_FOUND");
    }

    @Test
    void membersCanBeFilteredByMembership() {
        CsApiClient alice = newUser("lister");
        CsApiClient bob = newUser("joiner");
        CsApiClient carol = newUser("invited");
        CsApiClient dave = newUser("leaver");
        CsApiClient eve = newUser("banned");
        String roomId = Rooms.create(alice, obj("preset", "public_chat"));
        Rooms.join(bob, roomId);
        Rooms.invite(alice, roomId, carol.userId());
        Rooms.join(dave, roomId);
        Rooms.leave(dave, roomId);
        alice.post(obj("user_id", eve.userId()), "rooms", roomId, "ban").assertOk();

        assertThat(members(alice, roomId)).isEqualTo(Map.of(alice.userId(), "join", bob.userId(), "join",
                carol.userId(), "invite", dave.userId(), "leave", eve.userId(), "ban"));
        assertThat(members(bob, roomId, "membership", "join")).containsOnlyKeys(alice.userId(), bob.userId());
        assertThat(members(bob, roomId, "membership", "invite")).containsOnlyKeys(carol.userId());
        assertThat(members(bob, roomId, "not_membership", "join"))
                .containsOnlyKeys(carol.userId(), dave.userId(), eve.userId());
        assertThat(members(bob, roomId, "membership", "leave")).containsOnlyKeys(dave.userId());
        assertThat(members(bob, roomId, "not_membership", "leave"))
                .containsOnlyKeys(alice.userId(), bob.userId(), carol.userId(), eve.userId());

        assertThat(names(alice.get("rooms", roomId, "joined_members").assertOk().path("joined")))
                .containsExactlyInAnyOrder(alice.userId(), bob.userId());

        // Someone who never was in the room may not list it.
        CsApiClient stranger = newUser("stranger");
        stranger.get("rooms", roomId, "members").assertError(403, "M_FORBIDDEN");
        stranger.get("rooms", roomId, "joined_members").assertError(403, "M_FORBIDDEN");
    }

    @Test
    void membersAtATokenShowTheRoomAsItWasThen() {
        CsApiClient alice = newUser("timekeeper");
        CsApiClient bob = newUser("newcomer");
        String roomId = Rooms.create(alice, obj("preset", "public_chat"));
        Rooms.sendText(alice, roomId, "before bob");
        String before = Rooms.messages(alice, roomId, "b", null, 1).path("start").asText();
        Rooms.join(bob, roomId);
        Rooms.sendText(alice, roomId, "after bob");

        assertThat(members(alice, roomId)).containsOnlyKeys(alice.userId(), bob.userId());
        assertThat(members(alice, roomId, "at", before)).as("members at a token from before bob joined")
                .isEqualTo(Map.of(alice.userId(), "join"));
        assertThat(members(alice, roomId, "at", before, "membership", "join")).containsOnlyKeys(alice.userId());
    }

    @Test
    void formerMembersSeeTheRoomAsTheyLeftIt() {
        CsApiClient alice = newUser("stayer");
        CsApiClient bob = newUser("departer");
        String roomId = Rooms.create(alice, obj("preset", "public_chat", "name", "Old name"));
        Rooms.join(bob, roomId);
        Rooms.sendText(alice, roomId, "while bob is here");
        Rooms.leave(bob, roomId);
        Rooms.putState(alice, roomId, "m.room.name", "", obj("name", "New name"));
        Rooms.sendText(alice, roomId, "after bob left");

        assertThat(Rooms.state(bob, roomId, "m.room.name", "").path("name").asText())
                .as("a former member reads the state as it was when they left").isEqualTo("Old name");
        assertThat(Rooms.state(alice, roomId, "m.room.name", "").path("name").asText()).isEqualTo("New name");
        List<String> bobSees = Rooms.bodies(Rooms.paginateAll(bob, roomId, "b", 50));
        assertThat(bobSees).contains("while bob is here").doesNotContain("after bob left");

        // Forgetting needs leaving first.
        alice.post(obj(), "rooms", roomId, "forget").assertStatus(400);
        bob.post(obj(), "rooms", roomId, "forget").assertOk();
        Rooms.join(bob, roomId);
        assertThat(Rooms.joinedRooms(bob)).contains(roomId);
    }

    @Test
    void membershipRulesForInvitesAndSends() {
        CsApiClient alice = newUser("ruler");
        CsApiClient bob = newUser("ruled");
        CsApiClient carol = newUser("pending");
        String roomId = Rooms.create(alice, obj("preset", "private_chat", "invite", List.of(carol.userId())));
        Rooms.invite(alice, roomId, bob.userId());
        Rooms.join(bob, roomId);

        alice.post(obj("user_id", bob.userId()), "rooms", roomId, "invite").assertError(403, "M_FORBIDDEN");
        carol.put(obj("msgtype", "m.text", "body", "not yet"), "rooms", roomId, "send", "m.room.message", Rooms.txnId())
                .assertError(403, "M_FORBIDDEN");
        CsApiClient stranger = newUser("outside");
        stranger.put(obj("msgtype", "m.text", "body", "hi"), "rooms", roomId, "send", "m.room.message", Rooms.txnId())
                .assertError(403, "M_FORBIDDEN");
        // An invite can be declined by leaving.
        Rooms.leave(carol, roomId);
        assertThat(membership(alice, roomId, carol.userId())).isEqualTo("leave");
        carol.post(obj(), "rooms", roomId, "join").assertError(403, "M_FORBIDDEN");
    }

    @Test
    void guestsJoinOnlyWithGuestAccess() {
        CsApiClient alice = newUser("guesthost");
        String closed = Rooms.create(alice, obj("preset", "public_chat"));
        String open = Rooms.create(alice, obj("preset", "public_chat", "initial_state", List.of(
                obj("type", "m.room.guest_access", "state_key", "", "content", obj("guest_access", "can_join")))));
        CsApiClient guest = hs().client().registerGuest();
        guest.post(obj(), "rooms", closed, "join").assertError(403, "M_FORBIDDEN");
        guest.post(obj(), "rooms", open, "join").assertOk();
        assertThat(membership(alice, open, guest.userId())).isEqualTo("join");
        Rooms.sendText(guest, open, "hello from a guest");
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
