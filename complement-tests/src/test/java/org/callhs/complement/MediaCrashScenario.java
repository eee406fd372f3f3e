package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsResponse;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.HomeserverOptions;
import org.callhs.complement.harness.HomeserverProcess;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.Names;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * Media under a hard crash: the homeserver process gets {@code kill -9} while uploads are half
 * sent. After a restart on the same data nothing of them is served or left on disk, what was
 * uploaded before is served byte for byte, and a pending asynchronous upload can still be completed.
 */
@HomeserverScenario
class MediaCrashScenario {
    private static final String PASSWORD = "media-crash-password";

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, MediaCrashScenario.class,
                HomeserverOptions.defaults().requiringProcessControl("kills the homeserver in the middle of uploads"));
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private static HomeserverProcess server() { return deployment.process1(); }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static String mediaId(CsResponse upload) {
        String uri = upload.assertOk().path("content_uri").asText();
        return uri.substring(uri.lastIndexOf('/') + 1);
    }

    private static CsResponse download(CsApiClient client, String mediaId, String timeoutMs) {
        return client.requestAt("GET", "_matrix", "client", "v1", "media", "download", server().serverName(), mediaId)
                .query("timeout_ms", timeoutMs).send();
    }

    /** Opens an upload of {@code declared} bytes and sends only {@code sent} of them; the socket stays open. */
    private static Socket halfUpload(URI base, String method, String path, String token, int declared, int sent) throws IOException {
        Socket socket = new Socket(base.getHost(), base.getPort());
        OutputStream out = socket.getOutputStream();
        out.write((method + " " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + declared
                + "\r\nAuthorization: Bearer " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(random(sent, 99));
        out.flush();
        return socket;
    }

    private static long files(Path dir) throws IOException {
        if (!Files.exists(dir)) return 0;
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void halfSentUploadsLeaveNothingBehindAKill9() throws Exception {
        CsApiClient alice = server().client().register(Names.unique("crash-media"), PASSWORD);
        byte[] before = random(200_000, 1);
        String kept = mediaId(alice.requestAt("POST", "_matrix", "media", "v3", "upload").body(before, "application/x-kept").send());
        String pending = mediaId(alice.requestAt("POST", "_matrix", "media", "v1", "create").json(java.util.Map.of()).send());
        Path media = server().dataDir().resolve("media");
        long blobsBefore = files(media.resolve("blobs"));

        URI base = server().baseUrl();
        try (Socket one = halfUpload(base, "POST", "/_matrix/media/v3/upload", alice.accessToken(), 5_000_000, 1_500_000);
             Socket two = halfUpload(base, "PUT", "/_matrix/media/v3/upload/" + server().serverName() + "/" + pending,
                     alice.accessToken(), 3_000_000, 1_000_000)) {
            // Wait until the server is writing both to its temporary directory, then kill it.
            long deadline = System.currentTimeMillis() + 15_000;
            while (files(media.resolve("tmp")) < 2 && System.currentTimeMillis() < deadline) Thread.sleep(20);
            assertThat(files(media.resolve("tmp"))).as("both uploads in progress").isEqualTo(2);
            server().kill();
        }
        server().start();
        CsApiClient again = alice.loginAgain();

        assertThat(files(media.resolve("tmp"))).as("partial uploads removed at start").isZero();
        assertThat(files(media.resolve("blobs"))).as("no new blob from a half upload").isEqualTo(blobsBefore);
        CsResponse keptAfter = download(again, kept, "0");
        assertThat(keptAfter.status()).isEqualTo(200);
        assertThat(keptAfter.bytes()).isEqualTo(before);
        assertThat(keptAfter.header("Content-Type")).contains("application/x-kept");
        // The interrupted PUT left its ID pending, not half-filled: not served, and it can still be uploaded to.
        download(again, pending, "0").assertError(504, "M_NOT_YET_UPLOADED");
        byte[] after = random(100_000, 2);
        again.requestAt("PUT", "_matrix", "media", "v3", "upload", server().serverName(), pending)
                .body(after, "application/octet-stream").send().assertOk();
        assertThat(download(again, pending, "0").bytes()).isEqualTo(after);
    }
}
