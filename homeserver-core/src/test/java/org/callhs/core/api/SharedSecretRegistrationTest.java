package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.testing.TestServer;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Synapse's shared-secret registration (the MAC as Synapse's docs compute it, here with the
 * JDK's HMAC-SHA1), with open registration off; {@code /health} and the server version; bad input.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class SharedSecretRegistrationTest {
    private static final String SECRET = "a shared secret";
    private static final String PATH = "/_synapse/admin/v1/register";
    private static TestServer server;
    private static TestClient client;

    @Parameter
    Backend backend;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) {
        server = TestServer.start(backend, "registration.enabled=false", "registration.shared_secret=\"" + SECRET + "\"");
        client = server.client();
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        server.close();
    }

    private static String mac(String secret, String... parts) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return HexFormat.of().formatHex(mac.doFinal(String.join("\0", parts).getBytes(StandardCharsets.UTF_8)));
    }

    private static String nonce() {
        Resp r = client.get(PATH, null);
        assertThat(r.status()).isEqualTo(200);
        return r.text("nonce");
    }

    private static ObjectNode body(String nonce, String user, String password, boolean admin, String mac) {
        return Json.object().put("nonce", nonce).put("username", user).put("password", password).put("admin", admin).put("mac", mac);
    }

    @Test
    void anAdministratorIsCreatedWithTheSecretWhileRegistrationIsClosed() throws Exception {
        assertThat(client.post("/_matrix/client/v3/register", null, "{\"username\":\"nope\",\"password\":\"p\"}").status()).isEqualTo(403);
        String nonce = nonce();
        Resp r = client.post(PATH, null, body(nonce, "Root", "pw-1", true, mac(SECRET, nonce, "Root", "pw-1", "admin")).put("displayname", "The Root"));
        assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
        assertThat(r.text("user_id")).startsWith("@root:");
        assertThat(r.text("home_server")).isEqualTo(r.text("user_id").substring(r.text("user_id").indexOf(':') + 1));
        assertThat(r.text("device_id")).isNotBlank();
        String admin = r.text("access_token");
        assertThat(client.get("/_matrix/client/v3/account/whoami", admin).text("user_id")).isEqualTo(r.text("user_id"));
        assertThat(client.get("/_matrix/client/v3/profile/" + TestClient.seg(r.text("user_id")) + "/displayname", null).text("displayname"))
                .isEqualTo("The Root");
        // An administrator may delete anyone's room alias; an ordinary account may not.
        String n2 = nonce();
        String plain = client.post(PATH, null, body(n2, "plain", "pw-2", false, mac(SECRET, n2, "plain", "pw-2", "notadmin"))).text("access_token");
        client.post("/_matrix/client/v3/createRoom", plain, "{\"room_alias_name\":\"plainroom\"}");
        String serverName = r.text("home_server");
        String alias = "/_matrix/client/v3/directory/room/" + TestClient.seg("#plainroom:" + serverName);
        String n3 = nonce();
        String other = client.post(PATH, null, body(n3, "other", "pw-3", false, mac(SECRET, n3, "other", "pw-3", "notadmin"))).text("access_token");
        assertThat(client.delete(alias, other, null).status()).isEqualTo(403);
        assertThat(client.delete(alias, admin, null).status()).isEqualTo(200);
        // A user type is part of the MAC.
        String n4 = nonce();
        assertThat(client.post(PATH, null, body(n4, "botty", "pw-4", false, mac(SECRET, n4, "botty", "pw-4", "notadmin", "bot"))
                .put("user_type", "bot")).status()).isEqualTo(200);
    }

    @Test
    void wrongMacsSpentNoncesAndBadBodiesAreRefused() throws Exception {
        String nonce = nonce();
        Resp wrong = client.post(PATH, null, body(nonce, "eve", "pw", true, mac("another secret", nonce, "eve", "pw", "admin")));
        assertThat(wrong.status()).isEqualTo(403);
        assertThat(wrong.errcode()).isEqualTo("M_FORBIDDEN");
        Resp spent = client.post(PATH, null, body(nonce, "eve", "pw", true, mac(SECRET, nonce, "eve", "pw", "admin")));
        assertThat(spent.status()).as("a nonce is spent by its first use").isEqualTo(400);
        assertThat(client.post(PATH, null, body("made-up", "eve", "pw", true, mac(SECRET, "made-up", "eve", "pw", "admin"))).status())
                .isEqualTo(400);
        String n2 = nonce();
        assertThat(client.post(PATH, null, body(n2, "eve", "pw", false, mac(SECRET, n2, "eve", "pw", "admin"))).status())
                .as("the admin flag is part of the MAC").isEqualTo(403);
        assertThat(client.post(PATH, null, "not json").errcode()).isEqualTo("M_NOT_JSON");
        String n3 = nonce();
        assertThat(client.post(PATH, null, Json.object().put("nonce", n3).put("username", "eve")).errcode()).isEqualTo("M_BAD_JSON");
        String n4 = nonce();
        assertThat(client.post(PATH, null, body(n4, "eve", "pw", false, "x").put("admin", "yes")).errcode()).isEqualTo("M_BAD_JSON");
        String n5 = nonce();
        Resp badName = client.post(PATH, null, body(n5, "Eve!", "pw", false, mac(SECRET, n5, "Eve!", "pw", "notadmin")));
        assertThat(badName.errcode()).isEqualTo("M_INVALID_USERNAME");
        String n6 = nonce();
        client.post(PATH, null, body(n6, "taken", "pw", false, mac(SECRET, n6, "taken", "pw", "notadmin")));
        String n7 = nonce();
        assertThat(client.post(PATH, null, body(n7, "taken", "pw", false, mac(SECRET, n7, "taken", "pw", "notadmin"))).errcode())
                .isEqualTo("M_USER_IN_USE");
    }

    @Test
    void healthAndServerVersionAnswerWithoutAToken() throws Exception {
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.homeserver().clientPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("OK");
        assertThat(health.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(client.get("/_synapse/admin/v1/server_version", null).text("server_version")).isNotBlank();
    }

    @Test
    void withoutASecretTheEndpointsSaySo() {
        try (TestServer closed = TestServer.start(backend)) {
            Resp r = closed.client().get(PATH, null);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body().path("error").asText()).contains("not enabled");
            assertThat(closed.client().post(PATH, null, "{}").status()).isEqualTo(400);
        }
    }
}
