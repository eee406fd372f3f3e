package org.callhs.federation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.callhs.core.crypto.JsonSigner;
import org.callhs.core.crypto.SigningKey;
import org.callhs.core.crypto.UnpaddedBase64;
import org.callhs.core.testing.Backend;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Server-Server endpoints as another server calls them: request authentication and its
 * refusals, inbound transactions (limits, de-duplication, one bad item never failing the
 * others), the notary, and bad input to every query endpoint. Server B plays the caller: its
 * real key signs, so server A verifies against a key it fetches over loopback.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class ServerApiTest extends TwoServersSuite {
    static SigningKey keyB;

    @BeforeParameterizedClassInvocation
    static void readKey(Backend backend) {
        keyB = FederatedPair.signingKey(b);
    }


    /** A request from B to A; a FederationException carries A's refusal. */
    static JsonNode fromB(String method, String target, JsonNode body) {
        return asB.request(nameA(), method, target, body, 10_000);
    }

    static FederationException refusal(String method, String target, JsonNode body) {
        try {
            fromB(method, target, body);
        } catch (FederationException e) {
            return e;
        }
        throw new AssertionError("expected a refusal of " + method + " " + target);
    }

    static String header(SigningKey key, String origin, String destination, String method, String target, JsonNode body) {
        return XMatrix.authorization(key, method, target, origin, destination, body);
    }

    @Test
    void requestsWithoutAValidSignatureAreRefused() {
        String target = "/_matrix/federation/v1/query/profile?user_id=" + Paths.query("@x:" + nameA());
        RawFederation.Resp none = RawFederation.call(portA, "GET", target, null, null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.errcode()).isEqualTo("M_UNAUTHORIZED");
        for (String malformed : new String[] {"Bearer abc", "X-Matrix", "X-Matrix origin=\"" + nameB() + "\"", "X-Matrix origin=\"unclosed",
                "X-Matrix origin=" + nameB() + ",key=\"ed25519:x\",sig=\"abc\",destination", "X-Matrixorigin=a,key=b,sig=c"}) {
            RawFederation.Resp r = RawFederation.call(portA, "GET", target, malformed, null);
            assertThat(r.status()).as(malformed).isEqualTo(401);
            assertThat(r.errcode()).as(malformed).isEqualTo("M_UNAUTHORIZED");
        }
        // Wrong destination: a request B signed for another server.
        RawFederation.Resp wrongDestination = RawFederation.call(portA, "GET", target,
                header(keyB, nameB(), "localhost:1", "GET", target, null), null);
        assertThat(wrongDestination.status()).isEqualTo(401);
        assertThat(wrongDestination.body().path("error").asText()).contains("not this server");
        // Forged: claims to be B but is signed with another key under B's key ID.
        SigningKey forger = new SigningKey(keyB.keyId().substring(8), new byte[32]);
        RawFederation.Resp forged = RawFederation.call(portA, "GET", target, header(forger, nameB(), nameA(), "GET", target, null), null);
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.body().path("error").asText()).contains("Invalid signature");
        // Unknown key ID of a real server.
        SigningKey unknownId = new SigningKey("nosuchkey", new byte[32]);
        RawFederation.Resp unknown = RawFederation.call(portA, "GET", target, header(unknownId, nameB(), nameA(), "GET", target, null), null);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.body().path("error").asText()).contains("Unknown key");
        // A signature over another target.
        RawFederation.Resp otherTarget = RawFederation.call(portA, "GET", target,
                header(keyB, nameB(), nameA(), "GET", target + "x", null), null);
        assertThat(otherTarget.status()).isEqualTo(401);
        // A bad origin server name (non-numeric and out-of-range ports).
        for (String badOrigin : new String[] {"localhost:abc", "localhost:70000", "bad host"}) {
            RawFederation.Resp r = RawFederation.call(portA, "GET", target, header(keyB, badOrigin, nameA(), "GET", target, null), null);
            assertThat(r.status()).as(badOrigin).isEqualTo(401);
        }
    }

    @Test
    void unknownFederationPathsAreUnrecognizedJson() {
        RawFederation.Resp r = RawFederation.call(portA, "GET", "/_matrix/federation/v1/no_such_thing", null, null);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errcode()).isEqualTo("M_UNRECOGNIZED");
        assertThat(r.contentType()).startsWith("application/json");
    }

    static ObjectNode txn(ArrayNode pdus, ArrayNode edus) {
        ObjectNode body = Json.object();
        body.put("origin", nameB());
        body.put("origin_server_ts", System.currentTimeMillis());
        body.set("pdus", pdus);
        body.set("edus", edus);
        return body;
    }

    static ObjectNode toDeviceEdu(String sender, String recipient, String messageId, int n) {
        ObjectNode edu = Json.object().put("edu_type", "m.direct_to_device");
        ObjectNode content = edu.putObject("content");
        content.put("sender", sender).put("type", "m.test").put("message_id", messageId);
        content.putObject("messages").putObject(recipient).putObject("*").put("n", n);
        return edu;
    }

    @Test
    void oversizedOrMisshapenTransactionsAreRefusedWhole() {
        ArrayNode many = Json.array();
        for (int i = 0; i < 51; i++) many.addObject().put("type", "m.room.message");
        FederationException pdus = refusal("PUT", "/_matrix/federation/v1/send/big1", txn(many, Json.array()));
        assertThat(pdus.status()).isEqualTo(400);
        assertThat(pdus.errcode()).isEqualTo("M_BAD_JSON");
        ArrayNode edus = Json.array();
        for (int i = 0; i < 101; i++) edus.addObject().put("edu_type", "m.typing").putObject("content");
        assertThat(refusal("PUT", "/_matrix/federation/v1/send/big2", txn(Json.array(), edus)).status()).isEqualTo(400);
        ObjectNode noPdus = Json.object().put("origin", nameB());
        assertThat(refusal("PUT", "/_matrix/federation/v1/send/shape", noPdus).errcode()).isEqualTo("M_BAD_JSON");
    }

    @Test
    void oneBadItemNeverFailsTheOthersAndRetriesAreNotProcessedTwice() {
        var alice = a.client().register("alice-txn", "password-alice-txn");
        String aliceId = "@alice-txn:" + nameA();
        ArrayNode pdus = Json.array();
        pdus.add("not an object");
        pdus.addObject().put("type", "m.room.message").put("sender", "@b:" + nameB()).put("room_id", "!room:" + nameB())
                .put("origin_server_ts", 1).put("depth", 1).putObject("content").put("body", "hi");
        pdus.add(5);
        ArrayNode edus = Json.array();
        edus.add("garbage");
        edus.addObject().put("edu_type", "m.direct_to_device").put("content", "not an object");
        edus.add(toDeviceEdu("@mallory:" + nameA(), aliceId, "forged-" + backend, 0)); // sender not on the origin: dropped
        edus.addObject().put("edu_type", "org.example.unknown").putObject("content");
        edus.add(toDeviceEdu("@bob:" + nameB(), aliceId, "m1-" + backend, 1));
        JsonNode answer = fromB("PUT", "/_matrix/federation/v1/send/t1-" + backend, txn(pdus, edus));
        assertThat(answer.path("pdus").size()).as(answer.toString()).isEqualTo(1);
        assertThat(answer.path("pdus").elements().next().path("error").asText()).isNotEmpty();

        // The same transaction ID again, with other content: the stored answer, nothing delivered again.
        ArrayNode other = Json.array();
        other.add(toDeviceEdu("@bob:" + nameB(), aliceId, "m2-" + backend, 2));
        JsonNode retried = fromB("PUT", "/_matrix/federation/v1/send/t1-" + backend, txn(Json.array(), other));
        assertThat(retried).isEqualTo(answer);
        // The same message ID in a new transaction: delivered once only.
        ArrayNode repeat = Json.array();
        repeat.add(toDeviceEdu("@bob:" + nameB(), aliceId, "m1-" + backend, 1));
        fromB("PUT", "/_matrix/federation/v1/send/t2-" + backend, txn(Json.array(), repeat));

        var sync = a.client().get("/_matrix/client/v3/sync?timeout=0", alice.text("access_token"));
        JsonNode events = sync.body().path("to_device").path("events");
        assertThat(events.size()).as(events.toString()).isEqualTo(1);
        assertThat(events.get(0).path("sender").asText()).isEqualTo("@bob:" + nameB());
        assertThat(events.get(0).path("content").path("n").asInt()).isEqualTo(1);
    }

    @Test
    void queryEndpointsRefuseBadInput() {
        assertThat(refusal("GET", "/_matrix/federation/v1/query/profile", null).errcode()).isEqualTo("M_MISSING_PARAM");
        assertThat(refusal("GET", "/_matrix/federation/v1/query/profile?user_id=nonsense", null).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(refusal("GET", "/_matrix/federation/v1/query/profile?user_id=" + Paths.query("@x:other.example"), null).status())
                .isEqualTo(400);
        assertThat(refusal("GET", "/_matrix/federation/v1/query/profile?user_id=" + Paths.query("@nobody:" + nameA()), null).status())
                .isEqualTo(404);
        a.client().register("carol-q", "password-carol-q");
        assertThat(refusal("GET", "/_matrix/federation/v1/query/profile?field=email&user_id=" + Paths.query("@carol-q:" + nameA()), null)
                .errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(fromB("GET", "/_matrix/federation/v1/query/profile?field=displayname&user_id=" + Paths.query("@carol-q:" + nameA()), null)
                .path("displayname").asText()).isEqualTo("carol-q");
        assertThat(refusal("GET", "/_matrix/federation/v1/query/directory", null).errcode()).isEqualTo("M_MISSING_PARAM");
        assertThat(refusal("GET", "/_matrix/federation/v1/query/directory?room_alias=" + Paths.query("#none:" + nameA()), null).status())
                .isEqualTo(404);
        assertThat(refusal("GET", "/_matrix/federation/v1/user/devices/" + Paths.segment("@nobody:" + nameA()), null).status()).isEqualTo(404);
        assertThat(refusal("GET", "/_matrix/federation/v1/user/devices/" + Paths.segment("@x:elsewhere.example"), null).status())
                .isEqualTo(403);
        JsonNode devices = fromB("GET", "/_matrix/federation/v1/user/devices/" + Paths.segment("@carol-q:" + nameA()), null);
        assertThat(devices.path("user_id").asText()).isEqualTo("@carol-q:" + nameA());
        assertThat(devices.path("devices").size()).isEqualTo(1);
        assertThat(devices.path("stream_id").canConvertToLong()).isTrue();
        assertThat(refusal("POST", "/_matrix/federation/v1/user/keys/query", Json.object().put("device_keys", 3)).errcode())
                .isEqualTo("M_BAD_JSON");
        ObjectNode badList = Json.object();
        badList.putObject("device_keys").put("@carol-q:" + nameA(), "DEV");
        assertThat(refusal("POST", "/_matrix/federation/v1/user/keys/query", badList).errcode()).isEqualTo("M_BAD_JSON");
        assertThat(refusal("POST", "/_matrix/federation/v1/user/keys/claim", Json.object()).errcode()).isEqualTo("M_BAD_JSON");
        ObjectNode badClaim = Json.object();
        badClaim.putObject("one_time_keys").putObject("@carol-q:" + nameA()).put("DEV", 1);
        assertThat(refusal("POST", "/_matrix/federation/v1/user/keys/claim", badClaim).errcode()).isEqualTo("M_BAD_JSON");
        // Users of other servers are left out, never asked onwards.
        ObjectNode foreign = Json.object();
        foreign.putObject("device_keys").putArray("@x:elsewhere.example");
        assertThat(fromB("POST", "/_matrix/federation/v1/user/keys/query", foreign).path("device_keys").isEmpty()).isTrue();
    }

    @Test
    void theNotaryServesOtherServersKeysWithItsOwnSignature() {
        ObjectNode query = Json.object();
        query.putObject("server_keys").putObject(nameB());
        RawFederation.Resp r = RawFederation.call(portA, "POST", "/_matrix/key/v2/query", null, Json.write(query));
        assertThat(r.status()).isEqualTo(200);
        JsonNode response = r.body().path("server_keys").get(0);
        assertThat(response.path("server_name").asText()).isEqualTo(nameB());
        byte[] bKey = UnpaddedBase64.decode(keyB.publicKeyBase64());
        assertThat(JsonSigner.verify(response, nameB(), keyB.keyId(), bKey)).isTrue();
        SigningKey keyA = FederatedPair.signingKey(a);
        assertThat(JsonSigner.verify(response, nameA(), keyA.keyId(), UnpaddedBase64.decode(keyA.publicKeyBase64()))).isTrue();

        RawFederation.Resp own = RawFederation.call(portA, "GET", "/_matrix/key/v2/query/" + Paths.segment(nameA()), null, null);
        assertThat(own.body().path("server_keys").get(0).path("server_name").asText()).isEqualTo(nameA());

        int nobody = FederatedPair.freePort();
        RawFederation.Resp unreachable = RawFederation.call(portA, "GET", "/_matrix/key/v2/query/localhost:" + nobody, null, null);
        assertThat(unreachable.status()).isEqualTo(200);
        assertThat(unreachable.body().path("server_keys").isEmpty()).isTrue();
        RawFederation.Resp badName = RawFederation.call(portA, "GET", "/_matrix/key/v2/query/" + Paths.segment("bad name:0"), null, null);
        assertThat(badName.status()).isEqualTo(400);
        assertThat(badName.errcode()).isEqualTo("M_INVALID_PARAM");
        RawFederation.Resp badBody = RawFederation.call(portA, "POST", "/_matrix/key/v2/query", null, "{\"server_keys\":[]}");
        assertThat(badBody.errcode()).isEqualTo("M_BAD_JSON");
        RawFederation.Resp notJson = RawFederation.call(portA, "POST", "/_matrix/key/v2/query", null, "{nope");
        assertThat(notJson.errcode()).isEqualTo("M_NOT_JSON");
    }
}
