package org.callhs.federation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.callhs.core.crypto.SigningKey;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.testing.TestServer;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two in-process servers federating over loopback HTTPS, on each database: the client API for
 * remote users and aliases, keys, to-device messages both ways, and inbound transactions.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class FederationApiTest extends TwoServersSuite {

    static String user(String localpart, int port) { return "@" + localpart + ":localhost:" + port; }

    static String tokenOf(TestServer server, String localpart) { return server.registerToken(localpart); }

    static JsonNode waitFor(Supplier<JsonNode> probe) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(deadline)) {
            JsonNode found = probe.get();
            if (found != null) return found;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("timed out");
    }

    /** The to-device events the device's next sync returns (the sync token is not kept: each call is an initial sync). */
    static JsonNode toDevice(TestServer server, String token) {
        Resp r = server.client().get("/_matrix/client/v3/sync?timeout=0", token);
        assertThat(r.status()).isEqualTo(200);
        JsonNode events = r.body().path("to_device").path("events");
        return events.isEmpty() ? null : events;
    }

    @Test
    void remoteProfilesAreFetchedFromTheirServer() {
        String bob = tokenOf(b, "bob-profile");
        assertThat(b.client().put("/_matrix/client/v3/profile/" + TestClient.seg(user("bob-profile", portB)) + "/displayname", bob,
                "{\"displayname\":\"Bob of B\"}").status()).isEqualTo(200);
        String alice = tokenOf(a, "alice-profile");
        Resp profile = a.client().get("/_matrix/client/v3/profile/" + TestClient.seg(user("bob-profile", portB)), alice);
        assertThat(profile.status()).as(profile.body().toString()).isEqualTo(200);
        assertThat(profile.text("displayname")).isEqualTo("Bob of B");
        Resp field = a.client().get("/_matrix/client/v3/profile/" + TestClient.seg(user("bob-profile", portB)) + "/displayname", alice);
        assertThat(field.text("displayname")).isEqualTo("Bob of B");
        Resp unknown = a.client().get("/_matrix/client/v3/profile/" + TestClient.seg(user("nobody", portB)), alice);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errcode()).isEqualTo("M_NOT_FOUND");
    }

    @Test
    void unreachableServersAreBadGatewayForProfilesAndFailuresForKeys() {
        String alice = tokenOf(a, "alice-unreachable");
        int nobody = FederatedPair.freePort();
        Resp profile = a.client().get("/_matrix/client/v3/profile/" + TestClient.seg(user("x", nobody)), alice);
        assertThat(profile.status()).as(profile.body().toString()).isEqualTo(502);
        assertThat(profile.errcode()).isEqualTo("M_UNKNOWN");
        Resp keys = a.client().post("/_matrix/client/v3/keys/query", alice,
                "{\"device_keys\":{\"" + user("x", nobody) + "\":[]},\"timeout\":3000}");
        assertThat(keys.status()).isEqualTo(200);
        assertThat(keys.body().path("failures").has("localhost:" + nobody)).as(keys.body().toString()).isTrue();
        Resp claim = a.client().post("/_matrix/client/v3/keys/claim", alice,
                "{\"one_time_keys\":{\"" + user("x", nobody) + "\":{\"D\":\"signed_curve25519\"}},\"timeout\":3000}");
        assertThat(claim.status()).isEqualTo(200);
        assertThat(claim.body().path("failures").has("localhost:" + nobody)).isTrue();
    }

    @Test
    void remoteAliasesResolveThroughTheirServer() {
        String bob = tokenOf(b, "bob-alias");
        Resp room = b.client().post("/_matrix/client/v3/createRoom", bob, "{\"room_alias_name\":\"fedroom" + backend.ordinal() + "\"}");
        assertThat(room.status()).isEqualTo(200);
        String alice = tokenOf(a, "alice-alias");
        String alias = "#fedroom" + backend.ordinal() + ":localhost:" + portB;
        Resp resolved = a.client().get("/_matrix/client/v3/directory/room/" + TestClient.seg(alias), alice);
        assertThat(resolved.status()).as(resolved.body().toString()).isEqualTo(200);
        assertThat(resolved.text("room_id")).isEqualTo(room.text("room_id"));
        assertThat(resolved.body().get("servers").get(0).asText()).isEqualTo("localhost:" + portB);
        Resp unknown = a.client().get("/_matrix/client/v3/directory/room/" + TestClient.seg("#nope:localhost:" + portB), alice);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errcode()).isEqualTo("M_NOT_FOUND");
    }

    @Test
    void keysAreQueriedAndClaimedAcrossServers() {
        Resp bobLogin = b.client().register("bob-keys", "password-bob-keys");
        String bob = bobLogin.text("access_token");
        String device = bobLogin.text("device_id");
        String bobId = user("bob-keys", portB);
        ObjectNode upload = Json.object();
        ObjectNode deviceKeys = upload.putObject("device_keys");
        deviceKeys.put("user_id", bobId).put("device_id", device);
        deviceKeys.putArray("algorithms").add("m.olm.v1.curve25519-aes-sha2");
        deviceKeys.putObject("keys").put("curve25519:" + device, "curve").put("ed25519:" + device, "ed");
        deviceKeys.putObject("signatures").putObject(bobId).put("ed25519:" + device, "sig");
        ObjectNode otk = upload.putObject("one_time_keys").putObject("signed_curve25519:AAAAAQ").put("key", "otk1");
        otk.putObject("signatures").putObject(bobId).put("ed25519:" + device, "otksig");
        assertThat(b.client().post("/_matrix/client/v3/keys/upload", bob, upload).status()).isEqualTo(200);

        String alice = tokenOf(a, "alice-keys");
        Resp query = a.client().post("/_matrix/client/v3/keys/query", alice, "{\"device_keys\":{\"" + bobId + "\":[]}}");
        assertThat(query.status()).isEqualTo(200);
        JsonNode keys = query.body().path("device_keys").path(bobId).path(device);
        assertThat(keys.path("keys").path("curve25519:" + device).asText()).as(query.body().toString()).isEqualTo("curve");
        assertThat(keys.path("signatures").path(bobId).path("ed25519:" + device).asText()).isEqualTo("sig");
        assertThat(query.body().path("failures").isEmpty()).isTrue();

        Resp claim = a.client().post("/_matrix/client/v3/keys/claim", alice,
                "{\"one_time_keys\":{\"" + bobId + "\":{\"" + device + "\":\"signed_curve25519\"}}}");
        assertThat(claim.status()).isEqualTo(200);
        assertThat(claim.body().path("one_time_keys").path(bobId).path(device).path("signed_curve25519:AAAAAQ").path("key").asText())
                .as(claim.body().toString()).isEqualTo("otk1");
        // The only one-time key is gone: a second claim gets nothing for the device.
        Resp again = a.client().post("/_matrix/client/v3/keys/claim", alice,
                "{\"one_time_keys\":{\"" + bobId + "\":{\"" + device + "\":\"signed_curve25519\"}}}");
        assertThat(again.body().path("one_time_keys").path(bobId).path(device).isMissingNode()
                || again.body().path("one_time_keys").path(bobId).path(device).isEmpty()).isTrue();
    }

    @Test
    void floatsTravelSignedAsSynapseSignsThem() {
        Resp bobLogin = b.client().register("bob-float", "password-bob-float");
        String alice = tokenOf(a, "alice-float");
        Resp send = a.client().put("/_matrix/client/v3/sendToDevice/m.test/f1", alice,
                "{\"messages\":{\"" + user("bob-float", portB) + "\":{\"*\":{\"v\":1.5,\"w\":12345678901234567890}}}}");
        assertThat(send.status()).isEqualTo(200);
        JsonNode atB = waitFor(() -> toDevice(b, bobLogin.text("access_token")));
        assertThat(atB.get(0).path("content").path("v").asDouble()).isEqualTo(1.5);
        assertThat(atB.get(0).path("content").path("w").bigIntegerValue()).isEqualTo(new java.math.BigInteger("12345678901234567890"));
    }

    @Test
    void serversThatCannotBeNamedAreRefusedAtSend() {
        String alice = tokenOf(a, "alice-badserver");
        Resp send = a.client().put("/_matrix/client/v3/sendToDevice/m.test/b1", alice,
                "{\"messages\":{\"@u:localhost:0\":{\"*\":{}}}}");
        assertThat(send.status()).isEqualTo(400);
        assertThat(send.errcode()).isEqualTo("M_INVALID_PARAM");
    }

    @Test
    void toDeviceMessagesGoBothWays() {
        Resp bobLogin = b.client().register("bob-td", "password-bob-td");
        Resp aliceLogin = a.client().register("alice-td", "password-alice-td");
        Resp send = a.client().put("/_matrix/client/v3/sendToDevice/m.test/t1", aliceLogin.text("access_token"),
                "{\"messages\":{\"" + user("bob-td", portB) + "\":{\"" + bobLogin.text("device_id") + "\":{\"n\":1}}}}");
        assertThat(send.status()).isEqualTo(200);
        JsonNode atB = waitFor(() -> toDevice(b, bobLogin.text("access_token")));
        assertThat(atB.get(0).path("sender").asText()).isEqualTo(user("alice-td", portA));
        assertThat(atB.get(0).path("type").asText()).isEqualTo("m.test");
        assertThat(atB.get(0).path("content").path("n").asInt()).isEqualTo(1);

        Resp back = b.client().put("/_matrix/client/v3/sendToDevice/m.reply/t1", bobLogin.text("access_token"),
                "{\"messages\":{\"" + user("alice-td", portA) + "\":{\"*\":{\"n\":2}}}}");
        assertThat(back.status()).isEqualTo(200);
        JsonNode atA = waitFor(() -> toDevice(a, aliceLogin.text("access_token")));
        assertThat(atA.get(0).path("sender").asText()).isEqualTo(user("bob-td", portB));
        assertThat(atA.get(0).path("content").path("n").asInt()).isEqualTo(2);
    }
}
