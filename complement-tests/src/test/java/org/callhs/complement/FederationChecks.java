package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsResponse;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.Homeserver;
import org.callhs.complement.harness.JsSdkScripts;
import org.callhs.complement.harness.Json;
import org.callhs.complement.harness.Names;
import org.callhs.complement.harness.Rooms;

/**
 * The federation checks every pairing of servers runs (callhs and callhs, callhs and Synapse,
 * each direction): a user {@code from} one server looks at, or sends to, a user {@code to} on the
 * other. Only the Client-Server API is used, so the same checks prove a scenario against Synapse.
 */
final class FederationChecks {
    static final String PASSWORD = "federation-password";
    static final Duration DELIVERY = Duration.ofSeconds(45);

    private FederationChecks() {}

    static CsApiClient user(CsApiClient anonymous, String prefix) {
        return anonymous.register(Names.unique(prefix), PASSWORD);
    }

    /** Profiles and aliases, each user looking at the other's server. */
    static void profilesAndAliasesEachWay(CsApiClient one, CsApiClient two) {
        remoteProfile(one, two);
        remoteProfile(two, one);
        remoteAlias(one, two);
        remoteAlias(two, one);
    }

    /** Key query and claim, each server's user asking about a fresh user of the other. */
    static void keysEachWay(Homeserver one, Homeserver two) {
        keysQueryAndClaim(user(one.client(), "alice"), user(two.client(), "bob"));
        keysQueryAndClaim(user(two.client(), "bob"), user(one.client(), "alice"));
    }

    static void toDeviceEachWay(CsApiClient one, CsApiClient two) {
        toDevice(one, two);
        toDevice(two, one);
    }

    static void remoteProfile(CsApiClient from, CsApiClient to) {
        String name = "Display " + Names.random(6);
        to.put(obj("displayname", name), "profile", to.userId(), "displayname").assertOk();
        JsonNode profile = from.get("profile", to.userId()).assertOk();
        assertThat(profile.path("displayname").asText()).isEqualTo(name);
        assertThat(from.get("profile", to.userId(), "displayname").assertOk().path("displayname").asText()).isEqualTo(name);
        String server = to.userId().substring(to.userId().indexOf(':') + 1);
        CsResponse unknown = from.get("profile", "@" + Names.unique("nobody") + ":" + server);
        assertThat(unknown.status()).as(unknown.describe()).isEqualTo(404);
        assertThat(unknown.errcode()).isEqualTo("M_NOT_FOUND");
    }

    static void remoteAlias(CsApiClient from, CsApiClient to) {
        String localpart = Names.unique("fedalias");
        String roomId = Rooms.create(to, Map.of("room_alias_name", localpart));
        String server = to.userId().substring(to.userId().indexOf(':') + 1);
        JsonNode resolved = from.get("directory", "room", "#" + localpart + ":" + server).assertOk();
        assertThat(resolved.path("room_id").asText()).isEqualTo(roomId);
        assertThat(resolved.path("servers").toString()).contains(server);
        CsResponse unknown = from.get("directory", "room", "#" + Names.unique("none") + ":" + server);
        assertThat(unknown.status()).as(unknown.describe()).isEqualTo(404);
    }

    /** {@code to} uploads device keys and one one-time key; {@code from} queries them and claims the key. */
    static void keysQueryAndClaim(CsApiClient from, CsApiClient to) {
        String device = to.deviceId();
        Map<String, Object> deviceKeys = obj(
                "user_id", to.userId(), "device_id", device,
                "algorithms", List.of("m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"),
                "keys", obj("curve25519:" + device, "curvekey" + Names.random(8), "ed25519:" + device, "edkey" + Names.random(8)),
                "signatures", obj(to.userId(), obj("ed25519:" + device, "sig" + Names.random(8))));
        Map<String, Object> otk = obj("key", "otk" + Names.random(8), "signatures", obj(to.userId(), obj("ed25519:" + device, "s")));
        to.post(obj("device_keys", deviceKeys, "one_time_keys", obj("signed_curve25519:AAAAAQ", otk)), "keys", "upload").assertOk();

        JsonNode query = from.post(obj("device_keys", obj(to.userId(), List.of())), "keys", "query").assertOk();
        JsonNode got = query.path("device_keys").path(to.userId()).path(device);
        assertThat(got.path("keys").path("curve25519:" + device).asText()).as(query.toString())
                .isEqualTo(((Map<?, ?>) deviceKeys.get("keys")).get("curve25519:" + device));
        assertThat(query.path("failures").size()).isZero();

        JsonNode claim = from.post(obj("one_time_keys", obj(to.userId(), obj(device, "signed_curve25519"))), "keys", "claim").assertOk();
        assertThat(claim.path("one_time_keys").path(to.userId()).path(device).path("signed_curve25519:AAAAAQ").path("key").asText())
                .as(claim.toString()).isEqualTo(otk.get("key"));
    }

    /** Sends a to-device message; returns its marker, to look for with {@link #awaitToDevice}. */
    static String sendToDevice(CsApiClient from, CsApiClient to, String deviceOrStar) {
        String marker = Names.random(12);
        from.put(obj("messages", obj(to.userId(), obj(deviceOrStar, obj("marker", marker)))), "sendToDevice", "org.example.fed",
                Rooms.txnId()).assertOk();
        return marker;
    }

    /**
     * Waits until {@code to}'s device has every marker, each once, sent by {@code sender}. Syncs
     * incrementally and collects across responses: a repeated identical initial sync may be
     * answered from Synapse's two-minute sync response cache.
     */
    static void awaitToDevice(CsApiClient to, String sender, List<String> markers) {
        Instant deadline = Instant.now().plus(DELIVERY);
        List<String> seen = new java.util.ArrayList<>();
        String since = null;
        while (Instant.now().isBefore(deadline)) {
            var request = to.request("GET", "sync").query("timeout", since == null ? "0" : "1000");
            if (since != null) request = request.query("since", since);
            JsonNode body = request.send().assertOk();
            since = body.path("next_batch").asText();
            for (JsonNode e : body.path("to_device").path("events")) {
                if (e.path("sender").asText().equals(sender) && e.path("type").asText().equals("org.example.fed")) {
                    seen.add(e.path("content").path("marker").asText());
                }
            }
            if (seen.containsAll(markers)) {
                for (String m : markers) assertThat(seen.stream().filter(m::equals).count()).as("copies of " + m).isEqualTo(1);
                return;
            }
        }
        throw new AssertionError("to-device messages " + markers + " from " + sender + " did not arrive within " + DELIVERY
                + "; seen: " + seen);
    }

    /**
     * {@code resident} creates a public room of {@code version}; {@code joiner}, on the other
     * server, joins it by room ID through the resident's server; both see both members;
     * messages and state (a state key with a slash) go each way; the joiner leaves and the
     * resident sees it.
     */
    static void sharedRoom(CsApiClient resident, CsApiClient joiner, String version) {
        String residentServer = resident.userId().substring(resident.userId().indexOf(':') + 1);
        String roomId = resident.post(obj("preset", "public_chat", "room_version", version), "createRoom").assertOk()
                .path("room_id").asText();
        CsResponse joined = joiner.request("POST", "join", roomId).query("server_name", residentServer).json(obj()).send();
        assertThat(joined.status()).as(version + ": " + joined.describe()).isEqualTo(200);
        awaitJoined(resident, roomId, joiner.userId(), true);
        awaitJoined(joiner, roomId, resident.userId(), true);

        String there = "to the joiner " + Names.random(8);
        resident.put(obj("msgtype", "m.text", "body", there), "rooms", roomId, "send", "m.room.message", Rooms.txnId()).assertOk();
        awaitMessage(joiner, roomId, there);
        String back = "to the resident " + Names.random(8);
        joiner.put(obj("msgtype", "m.text", "body", back), "rooms", roomId, "send", "m.room.message", Rooms.txnId()).assertOk();
        awaitMessage(resident, roomId, back);

        String value = Names.random(8);
        resident.put(obj("value", value), "rooms", roomId, "state", "org.example.shared", "a/b").assertOk();
        awaitState(joiner, roomId, "org.example.shared", "a/b", value);

        joiner.post(obj(), "rooms", roomId, "leave").assertOk();
        awaitJoined(resident, roomId, joiner.userId(), false);
    }

    /**
     * {@code inviter} creates a private room and invites {@code accepting} and {@code rejecting},
     * users of the other server: the first sees the invite and joins, the second rejects it.
     */
    static void invitesAcrossServers(CsApiClient inviter, CsApiClient accepting, CsApiClient rejecting, String version) {
        String roomId = inviter.post(obj("preset", "private_chat", "room_version", version), "createRoom").assertOk()
                .path("room_id").asText();
        inviter.post(obj("user_id", accepting.userId()), "rooms", roomId, "invite").assertOk();
        inviter.post(obj("user_id", rejecting.userId()), "rooms", roomId, "invite").assertOk();
        awaitInvite(accepting, roomId);
        awaitInvite(rejecting, roomId);
        CsResponse joined = accepting.post(obj(), "rooms", roomId, "join");
        assertThat(joined.status()).as(joined.describe()).isEqualTo(200);
        awaitJoined(inviter, roomId, accepting.userId(), true);
        String hello = "after the invite " + Names.random(8);
        accepting.put(obj("msgtype", "m.text", "body", hello), "rooms", roomId, "send", "m.room.message", Rooms.txnId()).assertOk();
        awaitMessage(inviter, roomId, hello);
        CsResponse rejected = rejecting.post(obj(), "rooms", roomId, "leave");
        assertThat(rejected.status()).as(rejected.describe()).isEqualTo(200);
        Instant deadline = Instant.now().plus(DELIVERY);
        while (Instant.now().isBefore(deadline)) {
            CsResponse member = inviter.get("rooms", roomId, "state", "m.room.member", rejecting.userId());
            if (member.status() == 200 && member.json().path("membership").asText().equals("leave")) return;
            pause();
        }
        throw new AssertionError(inviter.userId() + " did not see " + rejecting.userId() + " reject the invite");
    }

    static void awaitInvite(CsApiClient invitee, String roomId) {
        Instant deadline = Instant.now().plus(DELIVERY);
        String since = null;
        while (Instant.now().isBefore(deadline)) {
            var request = invitee.request("GET", "sync").query("timeout", since == null ? "0" : "1000");
            if (since != null) request = request.query("since", since);
            JsonNode body = request.send().assertOk();
            since = body.path("next_batch").asText();
            if (body.path("rooms").path("invite").has(roomId)) return;
        }
        throw new AssertionError(invitee.userId() + " saw no invite to " + roomId + " within " + DELIVERY);
    }

    /**
     * {@code resident} writes history before {@code joiner} (other server) joins; the joiner
     * pages back with {@code /messages} and reads all of it, in order (their server backfills it).
     */
    static void lateJoinerReadsHistory(CsApiClient resident, CsApiClient joiner) {
        String residentServer = resident.userId().substring(resident.userId().indexOf(':') + 1);
        String roomId = resident.post(obj("preset", "public_chat"), "createRoom").assertOk().path("room_id").asText();
        String tag = Names.random(6);
        for (int i = 0; i < 25; i++) {
            resident.put(obj("msgtype", "m.text", "body", tag + " " + i), "rooms", roomId, "send", "m.room.message", Rooms.txnId()).assertOk();
        }
        joiner.request("POST", "join", roomId).query("server_name", residentServer).json(obj()).send().assertOk();
        List<String> expected = new java.util.ArrayList<>();
        for (int i = 24; i >= 0; i--) expected.add(tag + " " + i);
        Instant deadline = Instant.now().plus(DELIVERY);
        List<String> seen = List.of();
        while (Instant.now().isBefore(deadline)) {
            seen = new java.util.ArrayList<>();
            String from = null;
            for (int page = 0; page < 20; page++) {
                var request = joiner.request("GET", "rooms", roomId, "messages").query("dir", "b").query("limit", "10");
                if (from != null) request = request.query("from", from);
                JsonNode body = request.send().assertOk();
                for (JsonNode e : body.path("chunk")) {
                    String text = e.path("content").path("body").asText();
                    if (text.startsWith(tag + " ")) seen.add(text);
                }
                if (!body.has("end") || body.path("chunk").isEmpty()) break;
                from = body.path("end").asText();
            }
            if (seen.equals(expected)) return;
            pause();
        }
        throw new AssertionError(joiner.userId() + " read " + seen + " instead of the room's history");
    }

    /** {@code knocker} knocks on a knock room of {@code resident} (other server), who invites them in; they join. */
    static void knockAcrossServers(CsApiClient resident, CsApiClient knocker) {
        String residentServer = resident.userId().substring(resident.userId().indexOf(':') + 1);
        String roomId = resident.post(obj("preset", "private_chat", "room_version", "11",
                "initial_state", List.of(obj("type", "m.room.join_rules", "state_key", "", "content", obj("join_rule", "knock")))),
                "createRoom").assertOk().path("room_id").asText();
        CsResponse knocked = knocker.request("POST", "knock", roomId).query("server_name", residentServer).json(obj("reason", "hello")).send();
        assertThat(knocked.status()).as(knocked.describe()).isEqualTo(200);
        Instant deadline = Instant.now().plus(DELIVERY);
        while (true) {
            CsResponse member = resident.get("rooms", roomId, "state", "m.room.member", knocker.userId());
            if (member.status() == 200 && member.json().path("membership").asText().equals("knock")) break;
            if (Instant.now().isAfter(deadline)) throw new AssertionError(resident.userId() + " never saw the knock");
            pause();
        }
        resident.post(obj("user_id", knocker.userId()), "rooms", roomId, "invite").assertOk();
        awaitInvite(knocker, roomId);
        CsResponse joined = knocker.post(obj(), "rooms", roomId, "join");
        assertThat(joined.status()).as(joined.describe()).isEqualTo(200);
        awaitJoined(resident, roomId, knocker.userId(), true);
    }

    /** The room's current state as {@code viewer} sees it: "type|state_key" to event ID. */
    static Map<String, String> stateIds(CsApiClient viewer, String roomId) {
        Map<String, String> state = new java.util.TreeMap<>();
        CsResponse response = viewer.get("rooms", roomId, "state");
        assertThat(response.status()).as(response.describe()).isEqualTo(200);
        for (JsonNode e : response.json()) {
            state.put(e.path("type").asText() + "|" + e.path("state_key").asText(), e.path("event_id").asText());
        }
        return state;
    }

    /** Waits until both viewers report the same current state of the room, and returns it. */
    static Map<String, String> awaitSameState(CsApiClient one, CsApiClient two, String roomId) {
        Instant deadline = Instant.now().plus(DELIVERY);
        Map<String, String> first = Map.of();
        Map<String, String> second = Map.of();
        while (Instant.now().isBefore(deadline)) {
            first = stateIds(one, roomId);
            second = stateIds(two, roomId);
            if (first.equals(second)) return first;
            pause();
        }
        throw new AssertionError("the servers disagree on the state of " + roomId + ":\n" + first + "\n" + second);
    }

    static void awaitJoined(CsApiClient viewer, String roomId, String userId, boolean joined) {
        Instant deadline = Instant.now().plus(DELIVERY);
        JsonNode last = null;
        while (Instant.now().isBefore(deadline)) {
            CsResponse members = viewer.get("rooms", roomId, "joined_members");
            last = members.json();
            if (members.status() == 200 && members.json().path("joined").has(userId) == joined) return;
            pause();
        }
        throw new AssertionError(viewer.userId() + " did not see " + userId + (joined ? " joined" : " gone") + " within " + DELIVERY
                + "; last: " + last);
    }

    static void awaitMessage(CsApiClient viewer, String roomId, String body) {
        Instant deadline = Instant.now().plus(DELIVERY);
        JsonNode last = null;
        while (Instant.now().isBefore(deadline)) {
            last = viewer.request("GET", "rooms", roomId, "messages").query("dir", "b").query("limit", "30").send().json();
            for (JsonNode e : last.path("chunk")) {
                if (e.path("content").path("body").asText().equals(body)) return;
            }
            pause();
        }
        throw new AssertionError(viewer.userId() + " did not get \"" + body + "\" within " + DELIVERY + "; last: " + last);
    }

    static void awaitState(CsApiClient viewer, String roomId, String type, String stateKey, String value) {
        Instant deadline = Instant.now().plus(DELIVERY);
        CsResponse last = null;
        while (Instant.now().isBefore(deadline)) {
            last = viewer.get("rooms", roomId, "state", type, stateKey);
            if (last.status() == 200 && last.json().path("value").asText().equals(value)) return;
            pause();
        }
        throw new AssertionError(viewer.userId() + " did not see state " + type + "/" + stateKey + " within " + DELIVERY + "; last: "
                + (last == null ? null : last.describe()));
    }

    /**
     * MSC4354: sticky events sent while the other server was down reach it when it is back, every
     * one of them and not only the room's latest events: {@code sender} (a callhs user) sends three
     * sticky events and 60 messages while {@code receiver}'s server is down ({@code down}, then
     * {@code up}); the receiver's {@code /sync} then holds all three, with a TTL.
     */
    static void stickyEventsReachAServerThatWasDown(CsApiClient sender, CsApiClient receiver, Runnable down, Runnable up) {
        String senderServer = sender.userId().substring(sender.userId().indexOf(':') + 1);
        String roomId = sender.post(obj("preset", "public_chat"), "createRoom").assertOk().path("room_id").asText();
        receiver.request("POST", "join", roomId).query("server_name", senderServer).json(obj()).send().assertOk();
        awaitJoined(sender, roomId, receiver.userId(), true);
        down.run();
        List<String> sticky = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sticky.add(sender.request("PUT", "rooms", roomId, "send", "org.example.member", Rooms.txnId())
                    .query("org.matrix.msc4354.sticky_duration_ms", "600000").json(obj("msc4354_sticky_key", "device" + i)).send()
                    .assertOk().path("event_id").asText());
        }
        for (int i = 0; i < 60; i++) Rooms.sendText(sender, roomId, "while down " + i);
        up.run();
        Instant deadline = Instant.now().plus(DELIVERY);
        java.util.Set<String> seen = new java.util.HashSet<>();
        String since = null; // incremental syncs: Synapse answers a repeated initial sync from a cache for two minutes
        while (Instant.now().isBefore(deadline)) {
            var request = receiver.request("GET", "sync");
            if (since != null) request.query("since", since).query("timeout", "1000");
            JsonNode body = request.send().json();
            since = body.path("next_batch").asText(since);
            JsonNode room = body.path("rooms").path("join").path(roomId);
            for (JsonNode event : room.path("msc4354_sticky").path("events")) seen.add(event.path("event_id").asText());
            for (JsonNode event : room.path("timeline").path("events")) {
                if (event.path("unsigned").path("msc4354_sticky_duration_ttl_ms").asLong() > 0) seen.add(event.path("event_id").asText());
            }
            if (seen.containsAll(sticky)) return;
        }
        throw new AssertionError(receiver.userId() + " got " + seen + " of the sticky events " + sticky + " within " + DELIVERY);
    }

    /**
     * A public room of {@code resident}'s that {@code member}, a user of the other server, joined
     * and may change the topic of (power 50); returns once both servers report the same state.
     */
    static String roomBothMayChange(CsApiClient resident, CsApiClient member) {
        String residentServer = resident.userId().substring(resident.userId().indexOf(':') + 1);
        String roomId = resident.post(obj("preset", "public_chat"), "createRoom").assertOk().path("room_id").asText();
        member.request("POST", "join", roomId).query("server_name", residentServer).json(obj()).send().assertOk();
        awaitJoined(resident, roomId, member.userId(), true);
        JsonNode levels = resident.get("rooms", roomId, "state", "m.room.power_levels").assertOk();
        ((com.fasterxml.jackson.databind.node.ObjectNode) levels.path("users")).put(member.userId(), 50);
        resident.put(levels, "rooms", roomId, "state", "m.room.power_levels").assertOk();
        awaitSameState(resident, member, roomId);
        return roomId;
    }

    /**
     * After a fork: both servers report the same state (with a topic), each user sees the message
     * the other server wrote while they were apart, and a message sent after the merge arrives.
     */
    static void agreeAfterFork(CsApiClient one, CsApiClient two, String roomId, String missedByOne, String missedByTwo) {
        Map<String, String> agreed = awaitSameState(one, two, roomId);
        assertThat(agreed).containsKey("m.room.topic|");
        awaitMessage(one, roomId, missedByOne);
        awaitMessage(two, roomId, missedByTwo);
        String after = "after the merge " + Names.random(6);
        two.put(obj("msgtype", "m.text", "body", after), "rooms", roomId, "send", "m.room.message", Rooms.txnId()).assertOk();
        awaitMessage(one, roomId, after);
        awaitSameState(one, two, roomId);
    }

    /**
     * {@code resident} kicks {@code member} (a user of the other server) out of a public room, the
     * member joins again, is banned and cannot join while banned, and joins once unbanned; each
     * membership is seen by both servers.
     */
    static void kickAndBanAcrossServers(CsApiClient resident, CsApiClient member) {
        String residentServer = resident.userId().substring(resident.userId().indexOf(':') + 1);
        String roomId = resident.post(obj("preset", "public_chat"), "createRoom").assertOk().path("room_id").asText();
        member.request("POST", "join", roomId).query("server_name", residentServer).json(obj()).send().assertOk();
        awaitJoined(resident, roomId, member.userId(), true);

        resident.post(obj("user_id", member.userId(), "reason", "kicked across servers"), "rooms", roomId, "kick").assertOk();
        awaitNotJoined(member, roomId);
        awaitMembership(resident, roomId, member.userId(), "leave", resident.userId());
        member.request("POST", "join", roomId).query("server_name", residentServer).json(obj()).send().assertOk();
        awaitJoined(resident, roomId, member.userId(), true);

        resident.post(obj("user_id", member.userId(), "reason", "banned across servers"), "rooms", roomId, "ban").assertOk();
        awaitNotJoined(member, roomId);
        awaitMembership(resident, roomId, member.userId(), "ban", resident.userId());
        CsResponse refused = member.request("POST", "join", roomId).query("server_name", residentServer).json(obj()).send();
        assertThat(refused.status()).as(refused.describe()).isEqualTo(403);
        assertThat(refused.errcode()).as(refused.describe()).isEqualTo("M_FORBIDDEN");

        resident.post(obj("user_id", member.userId()), "rooms", roomId, "unban").assertOk();
        awaitMembership(resident, roomId, member.userId(), "leave", resident.userId());
        member.request("POST", "join", roomId).query("server_name", residentServer).json(obj()).send().assertOk();
        awaitJoined(resident, roomId, member.userId(), true);
        awaitSameState(resident, member, roomId);
    }

    /**
     * Waits until {@code viewer}, a member of the room, sees {@code userId}'s membership as
     * {@code membership}, set by {@code sender}.
     */
    static void awaitMembership(CsApiClient viewer, String roomId, String userId, String membership, String sender) {
        Instant deadline = Instant.now().plus(DELIVERY);
        JsonNode last = null;
        while (Instant.now().isBefore(deadline)) {
            CsResponse members = viewer.get("rooms", roomId, "members");
            if (members.status() == 200) {
                for (JsonNode event : members.json().path("chunk")) {
                    if (!userId.equals(event.path("state_key").asText())) continue;
                    last = event;
                    if (membership.equals(event.path("content").path("membership").asText())
                            && sender.equals(event.path("sender").asText())) {
                        return;
                    }
                }
            }
            pause();
        }
        throw new AssertionError(viewer.userId() + " did not see " + userId + "'s membership " + membership + " by " + sender
                + " within " + DELIVERY + "; last: " + last);
    }

    /** Waits until the room is no longer among {@code user}'s joined rooms on their own server. */
    static void awaitNotJoined(CsApiClient user, String roomId) {
        Instant deadline = Instant.now().plus(DELIVERY);
        while (Instant.now().isBefore(deadline)) {
            if (!Rooms.joinedRooms(user).contains(roomId)) return;
            pause();
        }
        throw new AssertionError(user.userId() + "'s server still lists " + roomId + " among the joined rooms after " + DELIVERY);
    }

    /**
     * {@code a} and {@code b}, users of different servers, exchange end-to-end encrypted messages
     * through two matrix-js-sdk clients with the Rust crypto ({@code js/e2ee-pair.mjs}): {@code a}
     * creates the encrypted room and invites {@code b}. Then both servers are asked for the two events:
     * each holds only the ciphertext.
     */
    static void encryptedMessagesEachWay(Deployment deployment, CsApiClient a, CsApiClient b, String logName) {
        JsSdkScripts scripts = JsSdkScripts.prepare();
        Map<String, Object> input = Json.obj("timeoutMs", 30_000,
                "a", withBaseUrl(a), "b", withBaseUrl(b));
        JsSdkScripts.Run run = scripts.runOk(deployment, "e2ee-pair.mjs", input, logName, Duration.ofSeconds(240));
        JsonNode summary = run.summary();
        List<String> steps = new java.util.ArrayList<>();
        summary.path("steps").fieldNames().forEachRemaining(steps::add);
        assertThat(steps).as(run.context()).containsExactly("initCrypto", "startClients", "deviceKeysAcrossServers",
                "createEncryptedRoom", "joinOverFederation", "encryptedAtoB", "encryptedBtoA");
        String roomId = summary.path("roomId").asText();
        for (String eventId : List.of(summary.path("messageId").asText(), summary.path("replyId").asText())) {
            for (CsApiClient viewer : List.of(a, b)) {
                JsonNode event = Rooms.event(viewer, roomId, eventId);
                assertThat(event.path("type").asText()).as("%s as %s sees it", eventId, viewer.userId()).isEqualTo("m.room.encrypted");
                assertThat(event.path("content").path("algorithm").asText()).isEqualTo("m.megolm.v1.aes-sha2");
                assertThat(event.path("content").has("body")).isFalse();
                assertThat(event.path("content").path("ciphertext").asText()).isNotBlank();
            }
        }
    }

    private static Map<String, Object> withBaseUrl(CsApiClient user) {
        Map<String, Object> json = new java.util.LinkedHashMap<>(JsSdkScripts.user(user));
        json.put("baseUrl", user.baseUrl().toString());
        return json;
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void toDevice(CsApiClient from, CsApiClient to) {
        String direct = sendToDevice(from, to, to.deviceId());
        String star = sendToDevice(from, to, "*");
        awaitToDevice(to, from.userId(), List.of(direct, star));
    }
}
