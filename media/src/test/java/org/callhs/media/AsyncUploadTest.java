package org.callhs.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.callhs.core.testing.AdjustableClock;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code /create} then {@code PUT /upload}: once, by the creator, with the pending limit, the wait and the expiry. */
@ParameterizedClass
@EnumSource(Backend.class)
class AsyncUploadTest extends MediaSuite {
    private static final AdjustableClock CLOCK = new AdjustableClock();

    @BeforeParameterizedClassInvocation
    static void startServer(Backend backend) {
        start(backend, CLOCK, "media.max_pending_uploads=3", "media.unused_expiration_ms=600000");
    }

    private static String create(String token) {
        Raw r = send("POST", "/_matrix/media/v1/create", token, null, Map.of());
        assertThat(r.status()).as(new String(r.bytes())).isEqualTo(200);
        assertThat(r.json().path("unused_expires_at").asLong()).isGreaterThan(CLOCK.millis());
        String uri = r.json().path("content_uri").asText();
        assertThat(uri).startsWith("mxc://" + serverName + "/");
        return uri.substring(("mxc://" + serverName + "/").length());
    }

    private static Raw put(String token, String mediaId, byte[] bytes, String type, String fileName) {
        return send("PUT", UPLOAD + "/" + TestClient.seg(serverName) + "/" + mediaId + (fileName == null ? "" : "?filename=" + fileName),
                token, bytes, type == null ? Map.of() : Map.of("Content-Type", type));
    }

    @Test
    void createThenUploadThenDownload() {
        String alice = server.registerToken("async-alice");
        String id = create(alice);
        byte[] bytes = random(20_000, 3);
        Raw r = put(alice, id, bytes, "application/pdf", "doc.pdf");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().size()).isZero();
        Raw d = download(id, alice);
        assertThat(d.bytes()).isEqualTo(bytes);
        assertThat(d.header("Content-Type")).isEqualTo("application/pdf");
        assertThat(d.header("Content-Disposition")).isEqualTo("attachment; filename=doc.pdf");
    }

    @Test
    void aSecondUploadIs409BeforeItsBodyIsLookedAt() {
        String alice = server.registerToken("twice-alice");
        String id = create(alice);
        assertThat(put(alice, id, "first".getBytes(StandardCharsets.UTF_8), "text/plain", null).status()).isEqualTo(200);
        Raw again = put(alice, id, null, null, null);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.errcode()).isEqualTo("M_CANNOT_OVERWRITE_MEDIA");
        assertThat(download(id, alice).bytes()).isEqualTo("first".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void racingUploadsToOneIdLeaveExactlyOneWinner() throws Exception {
        String alice = server.registerToken("race-alice");
        String id = create(alice);
        byte[] one = random(300_000, 1);
        byte[] two = random(300_000, 2);
        CompletableFuture<Raw> a = CompletableFuture.supplyAsync(() -> put(alice, id, one, "application/octet-stream", null));
        CompletableFuture<Raw> b = CompletableFuture.supplyAsync(() -> put(alice, id, two, "application/octet-stream", null));
        int okCount = (a.get().status() == 200 ? 1 : 0) + (b.get().status() == 200 ? 1 : 0);
        assertThat(okCount).isEqualTo(1);
        Raw loser = a.get().status() == 200 ? b.get() : a.get();
        assertThat(loser.status()).isEqualTo(409);
        byte[] served = download(id, alice).bytes();
        assertThat(served).isEqualTo(a.get().status() == 200 ? one : two);
    }

    @Test
    void onlyTheCreatorMayUpload() {
        String alice = server.registerToken("owner-alice");
        String bob = server.registerToken("owner-bob");
        String id = create(alice);
        Raw r = put(bob, id, new byte[] {1}, "text/plain", null);
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.errcode()).isEqualTo("M_FORBIDDEN");
    }

    @Test
    void unknownIdsAndOtherServersAre404() {
        String alice = server.registerToken("unknown-id-alice");
        Raw unknown = put(alice, "NeverCreated", new byte[] {1}, "text/plain", null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errcode()).isEqualTo("M_NOT_FOUND");
        Raw other = send("PUT", UPLOAD + "/other.example/" + create(alice), alice, new byte[] {1}, Map.of());
        assertThat(other.status()).isEqualTo(404);
        assertThat(other.errcode()).isEqualTo("M_NOT_FOUND");
    }

    @Test
    void aDownloadOfAPendingUploadWaitsThenSays504() {
        String alice = server.registerToken("pending-alice");
        String id = create(alice);
        Raw r = get(V1 + "/download/" + TestClient.seg(serverName) + "/" + id + "?timeout_ms=200", alice);
        assertThat(r.status()).isEqualTo(504);
        assertThat(r.errcode()).isEqualTo("M_NOT_YET_UPLOADED");
        // The legacy path too, before its freeze check (as Synapse).
        Raw legacy = get("/_matrix/media/v3/download/" + TestClient.seg(serverName) + "/" + id + "?timeout_ms=100", null);
        assertThat(legacy.status()).isEqualTo(504);
        assertThat(legacy.errcode()).isEqualTo("M_NOT_YET_UPLOADED");
        Raw thumb = get(V1 + "/thumbnail/" + TestClient.seg(serverName) + "/" + id + "?width=32&height=32&timeout_ms=100", alice);
        assertThat(thumb.status()).isEqualTo(504);
    }

    @Test
    void aWaitingDownloadGetsTheUploadWhenItArrives() throws Exception {
        String alice = server.registerToken("waiting-alice");
        String id = create(alice);
        CompletableFuture<Raw> waiting = CompletableFuture.supplyAsync(() ->
                get(V1 + "/download/" + TestClient.seg(serverName) + "/" + id + "?timeout_ms=20000", alice));
        Thread.sleep(300);
        assertThat(waiting).isNotDone();
        byte[] bytes = random(5000, 9);
        assertThat(put(alice, id, bytes, "application/octet-stream", null).status()).isEqualTo(200);
        Raw r = waiting.get();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bytes()).isEqualTo(bytes);
    }

    @Test
    void tooManyUnusedIdsAre429UntilOneIsUsed() {
        String alice = server.registerToken("limit-alice");
        String first = create(alice);
        create(alice);
        create(alice);
        Raw r = send("POST", "/_matrix/media/v1/create", alice, null, Map.of());
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.errcode()).isEqualTo("M_LIMIT_EXCEEDED");
        assertThat(put(alice, first, new byte[] {1}, "text/plain", null).status()).isEqualTo(200);
        create(alice);
    }

    @Test
    void unusedIdsExpire() {
        String alice = server.registerToken("expiry-alice");
        String id = create(alice);
        CLOCK.advance(600_001);
        try {
            Raw r = put(alice, id, new byte[] {1}, "text/plain", null);
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(get(V1 + "/download/" + TestClient.seg(serverName) + "/" + id + "?timeout_ms=0", alice).status()).isEqualTo(404);
            // Expired IDs no longer count against the limit.
            for (int i = 0; i < 3; i++) create(alice);
        } finally {
            CLOCK.advance(-600_001);
        }
    }

    @Test
    void uploadsToAnIdAreLimitedInSizeToo() {
        String alice = server.registerToken("async-large-alice");
        String id = create(alice);
        Raw r = put(alice, id, new byte[(int) MediaConfig.defaults().maxUploadSize() + 1], "application/octet-stream", null);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.errcode()).isEqualTo("M_TOO_LARGE");
        // Still pending: a smaller upload may follow.
        assertThat(put(alice, id, new byte[] {1}, "text/plain", null).status()).isEqualTo(200);
    }
}
