package org.callhs.core.room.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.callhs.core.crypto.JsonSigner;
import org.callhs.core.crypto.UnpaddedBase64;
import org.callhs.core.event.RoomVersion;

/** The authorisation rule for {@code m.room.member} events (rule 4 in v10/v11, rule 5 in v12). */
final class MembershipRules {
    private MembershipRules() {}

    static final String AUTHORISING_USER = "join_authorised_via_users_server";
    private static final Set<String> MAY_SELF_LEAVE_FROM = Set.of("invite", "join", "knock");

    /**
     * Allows or rejects a membership event; returns normally when allowed. The signature of the
     * authorising user's server on restricted joins is not checked here (signature checks belong
     * to PDU receipt).
     */
    static void check(JsonNode pdu, String sender, JsonNode create, StateView state, RoomVersion version) {
        String target = Pdus.text(pdu, "state_key");
        if (target == null) throw new AuthFailure("member event has no string state_key");
        JsonNode content = Pdus.content(pdu);
        String membership = Pdus.text(content, "membership");
        if (membership == null) throw new AuthFailure("member event has no membership");

        if (membership.equals("join") && isCreatorsFirstJoin(pdu, target, create, version)) return;

        // Not in the spec's list, but Synapse also refuses non-federating rooms to remote targets.
        if (!AuthRules.federates(create) && !Pdus.sameDomain(target, Pdus.text(create, "sender"))) {
            throw new AuthFailure("room does not federate and the target is on another server");
        }

        String senderMembership = Pdus.membership(state, sender).orElse(null);
        String targetMembership = Pdus.membership(state, target).orElse(null);
        switch (membership) {
            case "join" -> checkJoin(sender, target, senderMembership, content, state, version);
            case "invite" -> checkInvite(pdu, sender, target, senderMembership, targetMembership, content, state, version);
            case "leave" -> checkLeave(sender, target, senderMembership, targetMembership, state, version);
            case "ban" -> {
                if (!"join".equals(senderMembership)) throw new AuthFailure("sender is not joined");
                long senderLevel = PowerLevels.userLevel(sender, state, version);
                if (senderLevel < PowerLevels.namedLevel("ban", state)) throw new AuthFailure("sender lacks the ban level");
                if (PowerLevels.userLevel(target, state, version) >= senderLevel) {
                    throw new AuthFailure("sender's power is not above the target's");
                }
            }
            case "knock" -> {
                if (!version.knocking()) throw new AuthFailure("room version " + version.id() + " has no knocking");
                String rule = knownJoinRule(state, version);
                if (!rule.equals("knock") && !rule.equals("knock_restricted")) throw new AuthFailure("join rule " + rule + " does not allow knocking");
                if (!sender.equals(target)) throw new AuthFailure("cannot knock on behalf of another user");
                if (senderMembership != null && Set.of("ban", "invite", "join").contains(senderMembership)) {
                    throw new AuthFailure("cannot knock with membership " + senderMembership);
                }
            }
            default -> throw new AuthFailure("unknown membership " + membership);
        }
    }

    /** The creator's join whose only prev event is the create event. */
    private static boolean isCreatorsFirstJoin(JsonNode pdu, String target, JsonNode create, RoomVersion version) {
        JsonNode prev = pdu.get("prev_events");
        if (prev == null || !prev.isArray() || prev.size() != 1 || !prev.get(0).isTextual()) return false;
        if (!target.equals(Pdus.primaryCreator(create, version))) return false;
        return prev.get(0).textValue().equals(Pdus.createEventId(create, version));
    }

    /** The current join rule; a room without a join-rules event (or rule) counts as invite-only, as in Synapse. */
    static String joinRule(StateView state) {
        return state.get(StateKey.JOIN_RULES)
                .map(e -> Pdus.text(Pdus.content(e), "join_rule"))
                .orElse("invite");
    }

    /**
     * The current join rule as {@code version} understands it: a rule the version does not have
     * ({@code knock} before v7, {@code restricted} before v8, {@code knock_restricted} before
     * v10) is returned as {@code "unknown:"} + the rule, which allows no join and no knock.
     */
    static String knownJoinRule(StateView state, RoomVersion version) {
        String rule = joinRule(state);
        boolean known = switch (rule) {
            case "knock" -> version.knocking();
            case "restricted" -> version.restrictedJoins();
            case "knock_restricted" -> version.knockRestrictedJoins();
            default -> true;
        };
        return known ? rule : "unknown:" + rule;
    }

    private static void checkJoin(String sender, String target, String senderMembership, JsonNode content, StateView state,
                                  RoomVersion version) {
        if (!sender.equals(target)) throw new AuthFailure("cannot join on behalf of another user");
        if ("ban".equals(senderMembership)) throw new AuthFailure("sender is banned");
        boolean invitedOrJoined = "invite".equals(senderMembership) || "join".equals(senderMembership);
        String rule = knownJoinRule(state, version);
        switch (rule) {
            case "public" -> { }
            case "invite", "knock" -> {
                if (!invitedOrJoined) throw new AuthFailure("join rule " + rule + " requires an invite");
            }
            case "restricted", "knock_restricted" -> {
                if (invitedOrJoined) return;
                String authoriser = Pdus.text(content, AUTHORISING_USER);
                if (authoriser == null) throw new AuthFailure("restricted join without " + AUTHORISING_USER);
                if (!Pdus.isJoined(state, authoriser)) throw new AuthFailure("authorising user " + authoriser + " is not joined");
                if (PowerLevels.userLevel(authoriser, state, version) < PowerLevels.namedLevel("invite", state)) {
                    throw new AuthFailure("authorising user " + authoriser + " lacks the invite level");
                }
            }
            default -> throw new AuthFailure("join rule " + rule + " does not allow joining");
        }
    }

    private static void checkInvite(JsonNode pdu, String sender, String target, String senderMembership, String targetMembership,
                                    JsonNode content, StateView state, RoomVersion version) {
        if (content.has("third_party_invite")) {
            checkThirdPartyInvite(sender, target, targetMembership, content.get("third_party_invite"), state);
            return;
        }
        if (!"join".equals(senderMembership)) throw new AuthFailure("sender is not joined");
        if ("join".equals(targetMembership)) throw new AuthFailure("target is already joined");
        if ("ban".equals(targetMembership)) throw new AuthFailure("target is banned");
        if (PowerLevels.userLevel(sender, state, version) < PowerLevels.namedLevel("invite", state)) {
            throw new AuthFailure("sender lacks the invite level");
        }
    }

    private static void checkLeave(String sender, String target, String senderMembership, String targetMembership,
                                   StateView state, RoomVersion version) {
        if (sender.equals(target)) {
            if (senderMembership == null || !MAY_SELF_LEAVE_FROM.contains(senderMembership)) {
                throw new AuthFailure("cannot leave with membership " + senderMembership);
            }
            return;
        }
        if (!"join".equals(senderMembership)) throw new AuthFailure("sender is not joined");
        long senderLevel = PowerLevels.userLevel(sender, state, version);
        if ("ban".equals(targetMembership) && senderLevel < PowerLevels.namedLevel("ban", state)) {
            throw new AuthFailure("sender lacks the ban level needed to unban");
        }
        if (senderLevel < PowerLevels.namedLevel("kick", state)) throw new AuthFailure("sender lacks the kick level");
        if (PowerLevels.userLevel(target, state, version) >= senderLevel) {
            throw new AuthFailure("sender's power is not above the target's");
        }
    }

    /**
     * An invite that claims a third-party invite: the target must not be banned; {@code signed}
     * must carry {@code mxid} (= state_key) and {@code token}; an {@code m.room.third_party_invite}
     * with that token, sent by the same sender, must exist; and some ed25519 signature in
     * {@code signed} must verify against one of its public keys. Whether the key is still valid
     * ({@code key_validity_url}) is not checked, as in Synapse.
     */
    private static void checkThirdPartyInvite(String sender, String target, String targetMembership, JsonNode invite,
                                              StateView state) {
        if ("ban".equals(targetMembership)) throw new AuthFailure("target is banned");
        JsonNode signed = invite == null ? null : invite.get("signed");
        if (signed == null || !signed.isObject()) throw new AuthFailure("third_party_invite has no signed object");
        String mxid = Pdus.text(signed, "mxid");
        String token = Pdus.text(signed, "token");
        if (mxid == null || token == null) throw new AuthFailure("third_party_invite.signed lacks mxid or token");
        if (!mxid.equals(target)) throw new AuthFailure("third_party_invite mxid does not match the state_key");
        JsonNode thirdPartyInvite = state.get(StateKey.THIRD_PARTY_INVITE_TYPE, token)
                .orElseThrow(() -> new AuthFailure("no m.room.third_party_invite for the token"));
        if (!sender.equals(Pdus.text(thirdPartyInvite, "sender"))) {
            throw new AuthFailure("sender did not send the m.room.third_party_invite");
        }
        JsonNode signatures = signed.get("signatures");
        if (signatures == null || !signatures.isObject()) throw new AuthFailure("third_party_invite.signed has no signatures");
        for (byte[] publicKey : publicKeys(Pdus.content(thirdPartyInvite))) {
            for (Iterator<Map.Entry<String, JsonNode>> servers = signatures.fields(); servers.hasNext(); ) {
                Map.Entry<String, JsonNode> server = servers.next();
                if (!server.getValue().isObject()) continue;
                for (Iterator<String> ids = server.getValue().fieldNames(); ids.hasNext(); ) {
                    String keyId = ids.next();
                    if (keyId.startsWith("ed25519:") && verifies(signed, server.getKey(), keyId, publicKey)) return;
                }
            }
        }
        throw new AuthFailure("no third_party_invite signature matches the invite's public keys");
    }

    private static boolean verifies(JsonNode signed, String server, String keyId, byte[] publicKey) {
        try {
            return JsonSigner.verify(signed, server, keyId, publicKey);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The 32-byte ed25519 keys in {@code public_key} and {@code public_keys[].public_key}; undecodable ones are skipped. */
    private static List<byte[]> publicKeys(JsonNode content) {
        List<String> encoded = new ArrayList<>();
        String single = Pdus.text(content, "public_key");
        if (single != null) encoded.add(single);
        JsonNode many = content.get("public_keys");
        if (many != null && many.isArray()) {
            for (JsonNode entry : many) {
                String key = Pdus.text(entry, "public_key");
                if (key != null) encoded.add(key);
            }
        }
        List<byte[]> keys = new ArrayList<>();
        for (String text : encoded) {
            try {
                byte[] key = UnpaddedBase64.decode(text);
                if (key.length == 32) keys.add(key);
            } catch (IllegalArgumentException e) {
                // not base64: skip
            }
        }
        return keys;
    }
}
