package org.callhs.federation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Remote device lists kept by {@code m.device_list_update} and {@code m.signing_key_update}: the
 * first update makes A resync from B's {@code /user/devices}; an update that follows the last
 * {@code stream_id} is applied as sent (A then answers from its cache, whatever B holds); a gap
 * makes A resync again; a server cannot update another server's users. Also: a destination that
 * is down does not hold up delivery to one that is up.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class DeviceListFederationTest extends TwoServersSuite {

    static int txn;

    static void sendEdu(String type, ObjectNode content) {
        ObjectNode body = Json.object().put("origin", FederatedPair.name(portB)).put("origin_server_ts", System.currentTimeMillis());
        body.putArray("pdus");
        ArrayNode edus = body.putArray("edus");
        edus.addObject().put("edu_type", type).set("content", content);
        asB.request(FederatedPair.name(portA), "PUT", "/_matrix/federation/v1/send/dl" + System.nanoTime() + "-" + txn++, body, 10_000);
    }

    static JsonNode awaitQuery(String token, String userId, Predicate<JsonNode> done) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        JsonNode last = null;
        while (Instant.now().isBefore(deadline)) {
            Resp r = a.client().post("/_matrix/client/v3/keys/query", token, "{\"device_keys\":{\"" + userId + "\":[]}}");
            last = r.body();
            if (done.test(last)) return last;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("condition not met; last answer " + last);
    }

    /** Waits until A holds a fresh (resynced) device list of the user: updates that follow its stream_id then apply. */
    static void awaitTracked(String userId) {
        var lists = org.callhs.federation.schema.Tables.FEDERATION_REMOTE_DEVICE_LISTS;
        FederationApiTest.waitFor(() -> a.homeserver().database().dsl().fetchExists(lists,
                lists.USER_ID.eq(userId).and(lists.STALE.eq(false))) ? Json.object() : null);
    }

    static String curve(JsonNode answer, String userId, String device) {
        return answer.path("device_keys").path(userId).path(device).path("keys").path("curve25519:" + device).asText("");
    }

    @Test
    void updatesKeepTheCacheAndGapsResync() {
        Resp login = b.client().register("dl-user", "password-dl-user");
        String bobId = "@dl-user:" + FederatedPair.name(portB);
        String device = login.text("device_id");
        ObjectNode upload = Json.object();
        ObjectNode keys = upload.putObject("device_keys").put("user_id", bobId).put("device_id", device);
        keys.putArray("algorithms").add("m.olm.v1.curve25519-aes-sha2");
        keys.putObject("keys").put("curve25519:" + device, "real-key").put("ed25519:" + device, "ed");
        keys.putObject("signatures").putObject(bobId).put("ed25519:" + device, "sig");
        assertThat(b.client().post("/_matrix/client/v3/keys/upload", login.text("access_token"), upload).status()).isEqualTo(200);
        long streamId = asB.request(FederatedPair.name(portB), "GET", "/_matrix/federation/v1/user/devices/" + Paths.segment(bobId), null,
                10_000).path("stream_id").asLong();
        String alice = a.registerToken("dl-alice");

        // First update: A does not know the list yet, so it resyncs from B and then tracks the user.
        sendEdu("m.device_list_update", Json.object().put("user_id", bobId).put("device_id", device).put("stream_id", streamId)
                .set("prev_id", Json.array()));
        awaitQuery(alice, bobId, answer -> curve(answer, bobId, device).equals("real-key"));
        awaitTracked(bobId);

        // An update that follows the chain is applied as sent: A now answers from its cache.
        ObjectNode update = Json.object().put("user_id", bobId).put("device_id", device).put("stream_id", streamId + 1);
        update.putArray("prev_id").add(streamId);
        ObjectNode newKeys = keys.deepCopy();
        ((ObjectNode) newKeys.get("keys")).put("curve25519:" + device, "pushed-key");
        update.set("keys", newKeys);
        sendEdu("m.device_list_update", update);
        awaitQuery(alice, bobId, answer -> curve(answer, bobId, device).equals("pushed-key"));

        // Cross-signing keys pushed by m.signing_key_update are served from the cache too.
        ObjectNode master = Json.object().put("user_id", bobId);
        master.putArray("usage").add("master");
        master.putObject("keys").put("ed25519:masterpub", "masterpub");
        sendEdu("m.signing_key_update", Json.object().put("user_id", bobId).set("master_key", master));
        awaitQuery(alice, bobId, answer -> answer.path("master_keys").path(bobId).path("keys").has("ed25519:masterpub"));

        // A gap (prev_id names a stream_id A never saw): A resyncs, and B's real key is back.
        ObjectNode gap = Json.object().put("user_id", bobId).put("device_id", device).put("stream_id", streamId + 10);
        gap.putArray("prev_id").add(streamId + 7);
        sendEdu("m.device_list_update", gap);
        awaitQuery(alice, bobId, answer -> curve(answer, bobId, device).equals("real-key"));
        awaitTracked(bobId);

        // B cannot speak for users of other servers.
        String aliceId = "@dl-alice:" + FederatedPair.name(portA);
        sendEdu("m.device_list_update", Json.object().put("user_id", aliceId).put("device_id", "X").put("stream_id", 1)
                .set("prev_id", Json.array()));
        Resp own = a.client().post("/_matrix/client/v3/keys/query", alice, "{\"device_keys\":{\"" + aliceId + "\":[]}}");
        assertThat(own.body().path("device_keys").path(aliceId).has("X")).isFalse();
    }

    @Test
    void aDestinationThatIsDownDoesNotHoldUpOthers() {
        Resp bob = b.client().register("up-bob", "password-up-bob");
        Resp alice = a.client().register("up-alice", "password-up-alice");
        int dead = FederatedPair.freePort();
        String body = "{\"messages\":{\"@x:localhost:" + dead + "\":{\"*\":{\"n\":0}},\"@up-bob:" + FederatedPair.name(portB)
                + "\":{\"*\":{\"n\":1}}}}";
        assertThat(a.client().put("/_matrix/client/v3/sendToDevice/m.test/down1", alice.text("access_token"), body).status()).isEqualTo(200);
        // A second message to the dead server queues behind the first; B still gets its own.
        assertThat(a.client().put("/_matrix/client/v3/sendToDevice/m.test/down2", alice.text("access_token"),
                "{\"messages\":{\"@y:localhost:" + dead + "\":{\"*\":{}}}}").status()).isEqualTo(200);
        JsonNode events = FederationApiTest.waitFor(() -> FederationApiTest.toDevice(b, bob.text("access_token")));
        assertThat(events.get(0).path("content").path("n").asInt()).isEqualTo(1);
    }
}
