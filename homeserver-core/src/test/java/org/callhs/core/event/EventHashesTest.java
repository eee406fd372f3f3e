package org.callhs.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.callhs.core.crypto.JsonSigner;
import org.callhs.core.crypto.SigningKey;
import org.callhs.core.crypto.UnpaddedBase64;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;

/**
 * The spec's event-signing test vectors (appendix "Cryptographic test vectors"). They are
 * written for room version 1 events (with {@code origin} and {@code event_id}); the v10
 * redaction algorithm keeps the same keys, so v10 rules reproduce them exactly.
 */
class EventHashesTest {
    private static final JsonSigner SIGNER = new JsonSigner("domain",
            new SigningKey("1", UnpaddedBase64.decode("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1")));

    @Test
    void minimallySizedEvent() {
        ObjectNode event = (ObjectNode) Json.parse("""
                {"room_id": "!x:domain", "sender": "@a:domain", "origin": "domain", "origin_server_ts": 1000000,
                 "signatures": {}, "hashes": {}, "type": "X", "content": {}, "prev_events": [], "auth_events": [],
                 "depth": 3, "unsigned": {"age_ts": 1000000}}""");
        EventHashes.hashAndSign(event, RoomVersion.V10, SIGNER);
        assertThat(event.path("hashes").path("sha256").asText()).isEqualTo("5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos");
        assertThat(event.path("signatures").path("domain").path("ed25519:1").asText())
                .isEqualTo("KxwGjPSDEtvnFgU00fwFz+l6d2pJM6XBIaMEn81SXPTRl16AqLAYqfIReFGZlHi5KLjAWbOoMszkwsQma+lYAg");
        assertThat(event.path("unsigned").path("age_ts").asInt()).isEqualTo(1000000);
    }

    @Test
    void eventWithRedactableContent() {
        ObjectNode event = (ObjectNode) Json.parse("""
                {"content": {"body": "Here is the message content"}, "event_id": "$0:domain", "origin": "domain",
                 "origin_server_ts": 1000000, "type": "m.room.message", "room_id": "!r:domain", "sender": "@u:domain",
                 "signatures": {}, "unsigned": {"age_ts": 1000000}}""");
        EventHashes.hashAndSign(event, RoomVersion.V10, SIGNER);
        assertThat(event.path("hashes").path("sha256").asText()).isEqualTo("onLKD1bGljeBWQhWZ1kaP9SorVmRQNdN5aM2JYU2n/g");
        assertThat(event.path("signatures").path("domain").path("ed25519:1").asText())
                .isEqualTo("Wm+VzmOUOz08Ds+0NTWb1d4CZrVsJSikkeRxh6aCcUwu6pNC78FunoD7KNWzqFn241eYHYMGCA5McEiVPdhzBA");
        assertThat(event.path("content").path("body").asText()).isEqualTo("Here is the message content");
    }

    @Test
    void unknownTopLevelKeysAreCoveredByTheContentHashButNotTheReferenceHash() {
        ObjectNode plain = (ObjectNode) Json.parse("""
                {"type": "org.matrix.msc4143.rtc.member", "sender": "@a:d", "room_id": "!r:d", "content": {"x": 1},
                 "origin_server_ts": 5, "depth": 1, "prev_events": [], "auth_events": []}""");
        ObjectNode sticky = plain.deepCopy();
        sticky.putObject("msc4354_sticky").put("duration_ms", 3600000);
        assertThat(EventHashes.contentHash(sticky)).isNotEqualTo(EventHashes.contentHash(plain));
        assertThat(Redaction.redact(sticky, RoomVersion.V11).has("msc4354_sticky")).isFalse();
        EventHashes.hashAndSign(plain, RoomVersion.V11, SIGNER);
        EventHashes.hashAndSign(sticky, RoomVersion.V11, SIGNER);
        assertThat(EventHashes.eventId(sticky, RoomVersion.V11)).isNotEqualTo(EventHashes.eventId(plain, RoomVersion.V11))
                .startsWith("$").doesNotContain("+", "/", "=");
    }

    @Test
    void redactionFollowsEachVersionsRules() {
        ObjectNode create = (ObjectNode) Json.parse("""
                {"type": "m.room.create", "sender": "@a:d", "origin": "d", "membership": "join",
                 "content": {"creator": "@a:d", "room_version": "11", "m.federate": false}}""");
        assertThat(Redaction.redact(create, RoomVersion.V10).path("content").fieldNames()).toIterable().containsExactly("creator");
        assertThat(Redaction.redact(create, RoomVersion.V10).has("origin")).isTrue();
        assertThat(Redaction.redact(create, RoomVersion.V11).path("content").size()).isEqualTo(3);
        assertThat(Redaction.redact(create, RoomVersion.V11).has("origin")).isFalse();
        ObjectNode levels = (ObjectNode) Json.parse("""
                {"type": "m.room.power_levels", "content": {"invite": 50, "kick": 50, "notifications": {"room": 50}}}""");
        assertThat(Redaction.redact(levels, RoomVersion.V10).path("content").has("invite")).isFalse();
        assertThat(Redaction.redact(levels, RoomVersion.V11).path("content").has("invite")).isTrue();
        assertThat(Redaction.redact(levels, RoomVersion.V12).path("content").has("notifications")).isFalse();
        ObjectNode redaction = (ObjectNode) Json.parse("{\"type\": \"m.room.redaction\", \"redacts\": \"$x\", \"content\": {\"redacts\": \"$x\", \"reason\": \"spam\"}}");
        assertThat(Redaction.redact(redaction, RoomVersion.V10).path("content").size()).isZero();
        assertThat(Redaction.redact(redaction, RoomVersion.V11).path("content").path("redacts").asText()).isEqualTo("$x");
        ObjectNode member = (ObjectNode) Json.parse("""
                {"type": "m.room.member", "content": {"membership": "invite", "displayname": "A",
                 "third_party_invite": {"display_name": "x", "signed": {"token": "t"}}}}""");
        assertThat(Redaction.redact(member, RoomVersion.V10).path("content").has("third_party_invite")).isFalse();
        assertThat(Redaction.redact(member, RoomVersion.V11).path("content").path("third_party_invite").toString())
                .isEqualTo("{\"signed\":{\"token\":\"t\"}}");
    }

    @Test
    void redactionBeforeVersion10KeepsLessOfJoinRulesAndMembers() {
        ObjectNode joinRules = (ObjectNode) Json.parse("""
                {"type": "m.room.join_rules", "content": {"join_rule": "restricted", "allow": [{"type": "m.room_membership"}], "x": 1}}""");
        assertThat(Redaction.redact(joinRules, RoomVersion.V6).path("content").fieldNames()).toIterable().containsExactly("join_rule");
        assertThat(Redaction.redact(joinRules, RoomVersion.V7).path("content").fieldNames()).toIterable().containsExactly("join_rule");
        assertThat(Redaction.redact(joinRules, RoomVersion.V8).path("content").fieldNames()).toIterable()
                .containsExactlyInAnyOrder("join_rule", "allow");
        ObjectNode member = (ObjectNode) Json.parse("""
                {"type": "m.room.member", "content": {"membership": "join", "join_authorised_via_users_server": "@b:d", "displayname": "A"}}""");
        assertThat(Redaction.redact(member, RoomVersion.V8).path("content").fieldNames()).toIterable().containsExactly("membership");
        assertThat(Redaction.redact(member, RoomVersion.V9).path("content").fieldNames()).toIterable()
                .containsExactlyInAnyOrder("membership", "join_authorised_via_users_server");
        ObjectNode aliases = (ObjectNode) Json.parse("{\"type\": \"m.room.aliases\", \"content\": {\"aliases\": [\"#a:d\"]}}");
        assertThat(Redaction.redact(aliases, RoomVersion.V6).path("content").size()).isZero();
        for (RoomVersion version : List.of(RoomVersion.V6, RoomVersion.V7, RoomVersion.V8, RoomVersion.V9)) {
            ObjectNode legacy = (ObjectNode) Json.parse("{\"type\": \"m.room.message\", \"origin\": \"d\", \"prev_state\": [], \"content\": {\"body\": \"x\"}}");
            assertThat(Redaction.redact(legacy, version).has("origin")).isTrue();
            assertThat(Redaction.redact(legacy, version).has("prev_state")).isTrue();
        }
    }

    @Test
    void versionsSixToTwelveAreSupportedAndOlderOnesRefused() {
        assertThat(RoomVersion.supportedIds()).containsExactly("6", "7", "8", "9", "10", "11", "12");
        for (String old : List.of("1", "2", "3", "4", "5", "13", "org.example.v1")) {
            assertThat(RoomVersion.find(old)).isEmpty();
        }
        assertThat(RoomVersion.V9.knocking()).isTrue();
        assertThat(RoomVersion.V6.knocking()).isFalse();
        assertThat(RoomVersion.V7.restrictedJoins()).isFalse();
        assertThat(RoomVersion.V9.knockRestrictedJoins()).isFalse();
        assertThat(RoomVersion.V12.createEventInAuthEvents()).isFalse();
        assertThat(RoomVersion.V12.stateResolutionV21()).isTrue();
        assertThat(RoomVersion.V11.stateResolutionV21()).isFalse();
    }
}
