package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CanonicalJson;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.Ed25519;
import org.callhs.complement.harness.HomeserverOptions;
import org.callhs.complement.harness.HomeserverProcess;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.Names;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * Persistence across a graceful stop (SIGTERM) and a hard kill (kill -9), and the federation
 * listener: a self-signed, stable signing key and the version endpoint.
 */
@HomeserverScenario
class RestartScenario {

    private static final String PASSWORD = "restart-password";

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, RestartScenario.class,
                HomeserverOptions.defaults().requiringProcessControl("stops, kills and restarts the homeserver"));
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private static HomeserverProcess server() { return deployment.process1(); }

    @Test
    void dataSurvivesAGracefulStopAndAKill() {
        String localpart = Names.unique("persist");
        CsApiClient alice = server().client().register(localpart, PASSWORD);
        CsApiClient loggedOut = alice.loginAgain();
        alice.put(obj("displayname", "Persistent Alice"), "profile", alice.userId(), "displayname").assertOk();
        alice.put(obj("v", 1), "user", alice.userId(), "account_data", "org.example.persist").assertOk();
        alice.put(obj("display_name", "kept name"), "devices", alice.deviceId()).assertOk();
        String filterId = alice.post(obj("room", obj("timeline", obj("limit", 7))), "user", alice.userId(), "filter")
                .assertOk().path("filter_id").asText();
        loggedOut.post(null, "logout").assertOk();

        server().stop();
        assertThat(server().isRunning()).isFalse();
        server().start();
        assertPersisted(alice, loggedOut, filterId, 1);

        alice.put(obj("v", 2), "user", alice.userId(), "account_data", "org.example.persist").assertOk();
        server().kill();
        server().start();
        assertPersisted(alice, loggedOut, filterId, 2);
        server().client().login(localpart, PASSWORD);
    }

    private static void assertPersisted(CsApiClient alice, CsApiClient loggedOut, String filterId, int version) {
        assertThat(alice.whoami().path("user_id").asText()).as("token still valid").isEqualTo(alice.userId());
        assertThat(alice.get("profile", alice.userId(), "displayname").assertOk().path("displayname").asText())
                .isEqualTo("Persistent Alice");
        assertThat(alice.get("user", alice.userId(), "account_data", "org.example.persist").assertOk().path("v").asInt())
                .isEqualTo(version);
        assertThat(alice.get("devices", alice.deviceId()).assertOk().path("display_name").asText()).isEqualTo("kept name");
        assertThat(alice.get("user", alice.userId(), "filter", filterId).assertOk()
                .path("room").path("timeline").path("limit").asInt()).isEqualTo(7);
        loggedOut.get("account", "whoami").assertError(401, "M_UNKNOWN_TOKEN");
    }

    @Test
    void registerUserWorksWhileTheServerIsStopped() {
        String localpart = Names.unique("offline");
        server().stop();
        HomeserverProcess.CommandResult created = server().registerUserViaCli(localpart, PASSWORD, false);
        server().start();
        assertThat(created.exitCode()).as("register-user output:\n%s", created.output()).isZero();
        server().client().login(localpart, PASSWORD);
    }

    @Test
    void signingKeyIsSelfSignedAndSurvivesRestarts() {
        JsonNode keys = fetchAndVerifyServerKeys();
        String keyId = ed25519KeyId(keys);
        String key = keys.path("verify_keys").path(keyId).path("key").asText();

        server().restart();
        JsonNode afterRestart = fetchAndVerifyServerKeys();
        assertThat(afterRestart.path("verify_keys").path(keyId).path("key").asText())
                .as("same key %s after a restart", keyId).isEqualTo(key);

        server().kill();
        server().start();
        JsonNode afterKill = fetchAndVerifyServerKeys();
        assertThat(afterKill.path("verify_keys").path(keyId).path("key").asText())
                .as("same key %s after kill -9", keyId).isEqualTo(key);
    }

    /** GET /_matrix/key/v2/server, checked against the spec shape and its own signature. */
    private static JsonNode fetchAndVerifyServerKeys() {
        JsonNode keys = server().federationRequest("GET", "_matrix", "key", "v2", "server").send().assertOk();
        String serverName = server().serverName();
        assertThat(keys.path("server_name").asText()).isEqualTo(serverName);
        assertThat(keys.path("valid_until_ts").asLong()).as("valid_until_ts in the future: %s", keys)
                .isGreaterThan(System.currentTimeMillis());
        String keyId = ed25519KeyId(keys);
        String publicKey = keys.path("verify_keys").path(keyId).path("key").asText();
        assertThat(Ed25519.unpaddedBase64(publicKey)).as("raw Ed25519 key").hasSize(32);
        assertThat(publicKey).as("unpadded base64").doesNotEndWith("=");

        String signature = keys.path("signatures").path(serverName).path(keyId).asText(null);
        assertThat(signature).as("self-signature by %s in %s", keyId, keys).isNotBlank();
        ObjectNode signed = keys.deepCopy();
        signed.remove("signatures");
        signed.remove("unsigned");
        assertThat(Ed25519.verify(publicKey, signature, CanonicalJson.encode(signed)))
                .as("signature %s verifies over the canonical JSON of %s", signature, signed).isTrue();
        return keys;
    }

    private static String ed25519KeyId(JsonNode keys) {
        List<String> ids = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : keys.path("verify_keys").properties()) {
            if (entry.getKey().startsWith("ed25519:")) ids.add(entry.getKey());
        }
        assertThat(ids).as("ed25519 verify_keys in %s", keys).isNotEmpty();
        return ids.get(0);
    }

    @Test
    void federationVersionNamesTheServer() {
        JsonNode version = server().federationRequest("GET", "_matrix", "federation", "v1", "version").send().assertOk();
        assertThat(version.path("server").path("name").asText()).as("server.name in %s", version).isNotBlank();
        assertThat(version.path("server").path("version").isTextual()).as("server.version in %s", version).isTrue();
    }
}
