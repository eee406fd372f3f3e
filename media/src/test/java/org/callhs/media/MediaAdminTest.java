package org.callhs.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The admin API's quarantine and delete, the quota, and the legacy paths switched on. */
@ParameterizedClass
@EnumSource(Backend.class)
class MediaAdminTest extends MediaSuite {

    @BeforeParameterizedClassInvocation
    static void startServer(Backend backend) {
        start(backend, "media.max_stored_bytes_per_user=100000", "media.enable_authenticated_media=false");
    }

    /** A token of a server admin (the flag set in the database, then a fresh login). */
    private static String admin(String localpart) {
        server.registerToken(localpart);
        server.homeserver().database().dsl().execute("UPDATE users SET is_admin = true WHERE user_id = ?",
                "@" + localpart + ":" + serverName);
        var login = client.login(localpart, "password-" + localpart, "ADMINDEVICE");
        assertThat(login.status()).as(login.body().toString()).isEqualTo(200);
        return login.text("access_token");
    }

    private static String path(String mediaId) { return TestClient.seg(serverName) + "/" + mediaId; }

    @Test
    void quarantinedMediaIsNotServedUntilReleased() {
        String alice = server.registerToken("q-alice");
        String root = admin("q-admin");
        String id = uploaded(alice, image(100, 100, "png", false), "image/png", null);
        Raw q = send("POST", "/_synapse/admin/v1/media/quarantine/" + path(id), root, "{}".getBytes(), Map.of());
        assertThat(q.status()).isEqualTo(200);
        Raw gone = download(id, alice);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(thumbnail(id, alice, 32, 32, "crop").status()).isEqualTo(404);
        assertThat(get("/_matrix/media/v3/download/" + path(id), null).status()).isEqualTo(404);
        // An admin may look at it on purpose.
        assertThat(get(V1 + "/download/" + path(id) + "?admin_unsafely_bypass_quarantine=true", root).status()).isEqualTo(200);
        assertThat(send("POST", "/_synapse/admin/v1/media/unquarantine/" + path(id), root, null, Map.of()).status()).isEqualTo(200);
        assertThat(download(id, alice).status()).isEqualTo(200);
    }

    @Test
    void deletedMediaIsGoneWithItsFiles() throws Exception {
        String alice = server.registerToken("d-alice");
        String root = admin("d-admin");
        String id = uploaded(alice, image(400, 300, "png", false), "image/png", null);
        assertThat(thumbnail(id, alice, 32, 32, "crop").status()).isEqualTo(200);
        long before = blobCount();
        Raw r = send("DELETE", "/_synapse/admin/v1/media/" + path(id), root, null, Map.of());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("deleted_media").get(0).asText()).isEqualTo(id);
        assertThat(r.json().path("total").asInt()).isEqualTo(1);
        assertThat(download(id, alice).status()).isEqualTo(404);
        assertThat(blobCount()).isLessThan(before);
        assertThat(send("DELETE", "/_synapse/admin/v1/media/" + path(id), root, null, Map.of()).status()).isEqualTo(404);
        Raw remote = send("DELETE", "/_synapse/admin/v1/media/other.example/abc", root, null, Map.of());
        assertThat(remote.status()).isEqualTo(400);
    }

    private static long blobCount() throws Exception {
        try (Stream<Path> files = Files.walk(server.dataDir().resolve("media").resolve("blobs"))) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void onlyAdminsMayUseTheAdminApi() {
        String alice = server.registerToken("na-alice");
        String id = uploaded(alice, new byte[] {1}, "text/plain", null);
        Raw r = send("POST", "/_synapse/admin/v1/media/quarantine/" + path(id), alice, null, Map.of());
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.errcode()).isEqualTo("M_FORBIDDEN");
        assertThat(send("DELETE", "/_synapse/admin/v1/media/" + path(id), alice, null, Map.of()).status()).isEqualTo(403);
        assertThat(send("DELETE", "/_synapse/admin/v1/media/" + path(id), null, null, Map.of()).status()).isEqualTo(401);
        String root = admin("na-admin");
        assertThat(send("POST", "/_synapse/admin/v1/media/quarantine/" + path("Unknown"), root, null, Map.of()).status()).isEqualTo(404);
        assertThat(send("POST", "/_synapse/admin/v1/media/quarantine/" + TestClient.seg("../x") + "/abc", root, null, Map.of()).status())
                .isEqualTo(404);
    }

    @Test
    void theQuotaRefusesWhatWouldPassIt() {
        String alice = server.registerToken("quota-alice");
        uploaded(alice, new byte[60_000], "application/octet-stream", null);
        Raw over = upload(alice, new byte[50_000], "application/octet-stream", null);
        assertThat(over.status()).isEqualTo(403);
        assertThat(over.errcode()).isEqualTo("M_FORBIDDEN");
        uploaded(alice, new byte[40_000], "application/octet-stream", null);
        // Others have their own quota.
        uploaded(server.registerToken("quota-bob"), new byte[60_000], "application/octet-stream", null);
    }

    @Test
    void withAuthenticatedMediaOffTheLegacyPathsServeNewMedia() {
        String alice = server.registerToken("legacy-on-alice");
        byte[] bytes = image(100, 60, "png", false);
        String id = uploaded(alice, bytes, "image/png", "pic.png");
        Raw r = get("/_matrix/media/v3/download/" + path(id), null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bytes()).isEqualTo(bytes);
        assertThat(r.header("Content-Disposition")).isEqualTo("inline; filename=pic.png");
        assertThat(get("/_matrix/media/r0/download/" + path(id) + "/other.png", alice).header("Content-Disposition"))
                .isEqualTo("inline; filename=other.png");
        assertThat(size(get("/_matrix/media/v3/thumbnail/" + path(id) + "?width=32&height=32&method=crop", null).bytes()))
                .containsExactly(32, 32);
        // allow_remote=false: another server's media that is not cached here is not fetched.
        assertThat(get("/_matrix/media/v3/download/other.example/abc?allow_remote=false", null).status()).isEqualTo(404);
    }
}
