package org.callhs.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Uploads and downloads: byte-exact round trips, the headers, the limits, and bad input on every path. */
@ParameterizedClass
@EnumSource(Backend.class)
class MediaApiTest extends MediaSuite {

    @BeforeParameterizedClassInvocation
    static void startServer(Backend backend) {
        start(backend, "media.max_upload_size=4000000");
    }

    @Test
    void smallAndLargeFilesComeBackByteForByte() {
        String alice = server.registerToken("bytes-alice");
        for (int size : new int[] {0, 1, 10_000, 3_500_000}) {
            byte[] bytes = random(size, size);
            String id = uploaded(alice, bytes, "application/x-test", null);
            Raw r = download(id, alice);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bytes()).isEqualTo(bytes);
            assertThat(r.header("Content-Type")).isEqualTo("application/x-test");
            assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(size));
            assertThat(r.header("Content-Disposition")).isEqualTo("attachment");
        }
    }

    @Test
    void theContentTypeIsKeptExactlyAndTextGetsACharset() {
        String alice = server.registerToken("type-alice");
        String png = uploaded(alice, image(4, 4, "png", false), "img/png", null);
        assertThat(download(png, alice).header("Content-Type")).isEqualTo("img/png");
        String text = uploaded(alice, "héllo".getBytes(StandardCharsets.UTF_8), "text/plain", null);
        Raw r = download(text, alice);
        assertThat(r.header("Content-Type")).isEqualTo("text/plain; charset=UTF-8");
        assertThat(r.header("Content-Disposition")).isEqualTo("inline");
        String none = uploaded(alice, new byte[] {1, 2, 3}, null, null);
        assertThat(download(none, alice).header("Content-Type")).isEqualTo("application/octet-stream");
    }

    @Test
    void downloadsCarryTheSecurityHeadersAndTheSpecsDisposition() {
        String alice = server.registerToken("headers-alice");
        String html = uploaded(alice, "<script>alert(1)</script>".getBytes(StandardCharsets.UTF_8), "text/html", "x.html");
        Raw r = download(html, alice);
        assertThat(r.header("Content-Disposition")).isEqualTo("attachment; filename=x.html");
        assertThat(r.header("Content-Security-Policy")).startsWith("sandbox; default-src 'none'; script-src 'none';");
        assertThat(r.header("Cross-Origin-Resource-Policy")).isEqualTo("cross-origin");
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        String jpeg = uploaded(alice, image(4, 4, "jpg", false), "image/jpeg", "photo.jpg");
        assertThat(download(jpeg, alice).header("Content-Disposition")).isEqualTo("inline; filename=photo.jpg");
        String svg = uploaded(alice, "<svg/>".getBytes(StandardCharsets.UTF_8), "image/svg+xml", null);
        assertThat(download(svg, alice).header("Content-Disposition")).isEqualTo("attachment");
    }

    @Test
    void filenamesAreEncodedSoThatAnyParserGetsThemBack() {
        String alice = server.registerToken("names-alice");
        Map<String, String> expected = Map.of(
                "ascii", "inline; filename=ascii",
                "name with spaces", "inline; filename*=utf-8''name%20with%20spaces",
                "name;with;semicolons", "inline; filename*=utf-8''name%3Bwith%3Bsemicolons",
                "\uD83D\uDC14", "inline; filename*=utf-8''%F0%9F%90%94",
                "quote\"d", "inline; filename*=utf-8''quote%22d");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String id = uploaded(alice, "x".getBytes(StandardCharsets.UTF_8), "text/plain", e.getKey());
            assertThat(download(id, alice).header("Content-Disposition")).as(e.getKey()).isEqualTo(e.getValue());
            assertThat(MediaHeaders.fileNameOf(e.getValue())).isEqualTo(e.getKey());
        }
        // The path's filename wins over the uploaded one.
        String id = uploaded(alice, "x".getBytes(StandardCharsets.UTF_8), "text/plain", "uploaded.txt");
        Raw r = get(V1 + "/download/" + TestClient.seg(serverName) + "/" + id + "/" + TestClient.seg("\u2615"), alice);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Disposition")).isEqualTo("inline; filename*=utf-8''%E2%98%95");
        // An empty filename is no filename.
        String empty = uploaded(alice, "x".getBytes(StandardCharsets.UTF_8), "text/plain", "");
        assertThat(download(empty, alice).header("Content-Disposition")).isEqualTo("inline");
    }

    @Test
    void configSaysTheUploadLimit() {
        String alice = server.registerToken("config-alice");
        Raw r = get(V1 + "/config", alice);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("m.upload.size").asLong()).isEqualTo(4_000_000);
        assertThat(get("/_matrix/media/v3/config", alice).json().path("m.upload.size").asLong()).isEqualTo(4_000_000);
        assertThat(get(V1 + "/config", null).status()).isEqualTo(401);
    }

    @Test
    void uploadsBeyondTheLimitAre413WhetherDeclaredOrStreamed() throws Exception {
        String alice = server.registerToken("large-alice");
        Raw declared = upload(alice, new byte[4_000_001], "application/octet-stream", null);
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.errcode()).isEqualTo("M_TOO_LARGE");
        // Chunked: no length up front, so the limit is found while streaming.
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(base() + UPLOAD))
                .header("Authorization", "Bearer " + alice)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[4_500_000])))
                .build();
        var response = java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("M_TOO_LARGE");
        // Exactly at the limit is fine.
        assertThat(upload(alice, new byte[4_000_000], "application/octet-stream", null).status()).isEqualTo(200);
        assertThat(noPartialFiles()).isTrue();
    }

    @Test
    void aClientThatGoesAwayMidUploadLeavesNothing() throws Exception {
        String alice = server.registerToken("gone-alice");
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.homeserver().clientPort())) {
            var out = socket.getOutputStream();
            out.write(("POST " + UPLOAD + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: 1000000\r\nAuthorization: Bearer " + alice + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[300_000]);
            out.flush();
            Thread.sleep(200);
        }
        long deadline = System.currentTimeMillis() + 10_000;
        while (!noPartialFiles() && System.currentTimeMillis() < deadline) Thread.sleep(20);
        assertThat(noPartialFiles()).isTrue();
        assertThat(server.homeserver().database().dsl().fetchCount(org.callhs.media.schema.Tables.MEDIA,
                org.callhs.media.schema.Tables.MEDIA.UPLOADER.eq("@gone-alice:" + serverName))).isZero();
        // The server goes on serving uploads.
        assertThat(upload(alice, new byte[] {1}, "text/plain", null).status()).isEqualTo(200);
    }

    /** Nothing is left in the storage's temporary directory once uploads are answered. */
    static boolean noPartialFiles() throws Exception {
        try (Stream<Path> files = Files.walk(server.dataDir().resolve("media").resolve("tmp"))) {
            return files.noneMatch(Files::isRegularFile);
        }
    }

    @Test
    void unknownMediaIsNotFound() {
        String alice = server.registerToken("unknown-alice");
        Raw r = download("NoSuchMediaHere", alice);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(thumbnail("NoSuchMediaHere", alice, 32, 32, "crop").status()).isEqualTo(404);
    }

    @Test
    void pathTraversalInMediaIdsAndServerNamesIsRefused() {
        String alice = server.registerToken("traversal-alice");
        uploaded(alice, "secret".getBytes(StandardCharsets.UTF_8), "text/plain", null);
        List<String> paths = List.of(
                V1 + "/download/" + TestClient.seg(serverName) + "/" + TestClient.seg("../../homeserver.db"),
                V1 + "/download/" + TestClient.seg(serverName) + "/" + TestClient.seg("..%2F..%2Fsigning.key"),
                V1 + "/download/" + TestClient.seg(serverName) + "/..",
                V1 + "/download/" + TestClient.seg(serverName) + "/" + TestClient.seg("a\u0000b"),
                V1 + "/download/" + TestClient.seg("../..") + "/abc",
                V1 + "/download/" + TestClient.seg("evil.example/../x") + "/abc",
                V1 + "/download/" + TestClient.seg("..") + "/abc",
                V1 + "/thumbnail/" + TestClient.seg(serverName) + "/" + TestClient.seg("../x") + "?width=1&height=1");
        for (String path : paths) {
            Raw r = get(path, alice);
            String text = new String(r.bytes(), StandardCharsets.UTF_8);
            assertThat(r.status()).as(path + " " + text).isIn(400, 404);
            assertThat(text).as(path).startsWith("{").contains("\"errcode\"");
        }
        Raw put = send("PUT", UPLOAD + "/" + TestClient.seg(serverName) + "/" + TestClient.seg("../x"), alice, new byte[] {1}, Map.of());
        assertThat(put.status()).isEqualTo(404);
    }

    @Test
    void everyEndpointWantsAToken() {
        String alice = server.registerToken("token-alice");
        String id = uploaded(alice, new byte[] {1}, "text/plain", null);
        // Auth comes before the media lookup and before parameter checks.
        assertThat(download(id, null).status()).isEqualTo(401);
        assertThat(get(V1 + "/download/" + TestClient.seg(serverName) + "/" + TestClient.seg("mxc://" + serverName + "/" + id), null).status())
                .isEqualTo(401);
        assertThat(get(V1 + "/thumbnail/" + TestClient.seg(serverName) + "/" + id, null).status()).isEqualTo(401);
        assertThat(upload(null, new byte[] {1}, "text/plain", null).status()).isEqualTo(401);
        assertThat(send("POST", "/_matrix/media/v1/create", null, null, Map.of()).status()).isEqualTo(401);
        assertThat(download(id, "not-a-token").errcode()).isEqualTo("M_UNKNOWN_TOKEN");
    }

    @Test
    void newMediaIsNotServedOnTheLegacyPathsByDefault() {
        String alice = server.registerToken("legacy-alice");
        String id = uploaded(alice, new byte[] {1, 2}, "text/plain", null);
        Raw r = get("/_matrix/media/v3/download/" + TestClient.seg(serverName) + "/" + id, null);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(get("/_matrix/media/r0/download/" + TestClient.seg(serverName) + "/" + id, alice).status()).isEqualTo(404);
        assertThat(get("/_matrix/media/v3/thumbnail/" + TestClient.seg(serverName) + "/" + id + "?width=1&height=1", null).status())
                .isEqualTo(404);
    }

    @Test
    void badUploadParametersAre400() {
        String alice = server.registerToken("params-alice");
        Raw longName = upload(alice, new byte[] {1}, "text/plain", "x".repeat(1025));
        assertThat(longName.status()).isEqualTo(400);
        assertThat(longName.errcode()).isEqualTo("M_INVALID_PARAM");
        Raw control = upload(alice, new byte[] {1}, "text/plain", "a\nb");
        assertThat(control.status()).isEqualTo(400);
        Raw type = upload(alice, new byte[] {1}, "t".repeat(300), null);
        assertThat(type.status()).isEqualTo(400);
        assertThat(type.errcode()).isEqualTo("M_INVALID_PARAM");
        Raw timeout = get(V1 + "/download/" + TestClient.seg(serverName) + "/abc?timeout_ms=soon", alice);
        assertThat(timeout.status()).isEqualTo(400);
        assertThat(timeout.errcode()).isEqualTo("M_INVALID_PARAM");
        Raw bypass = get(V1 + "/download/" + TestClient.seg(serverName) + "/abc?admin_unsafely_bypass_quarantine=true", alice);
        assertThat(bypass.status()).isEqualTo(400);
    }

    @Test
    void urlPreviewsAreOffAndSaySo() {
        String alice = server.registerToken("preview-alice");
        Raw r = get(V1 + "/preview_url?url=" + TestClient.seg("https://example.org"), alice);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errcode()).isEqualTo("M_UNRECOGNIZED");
        assertThat(r.json().path("error").asText()).contains("URL previews");
    }

    @Test
    void concurrentUploadsAllArriveIntact() throws Exception {
        String alice = server.registerToken("concurrent-alice");
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                int n = i;
                results.add(pool.submit(() -> {
                    byte[] bytes = random(50_000 + n * 1000, n);
                    String id = uploaded(alice, bytes, "application/octet-stream", "f" + n);
                    return java.util.Arrays.equals(download(id, alice).bytes(), bytes);
                }));
            }
            for (Future<Boolean> result : results) assertThat(result.get()).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void headAnswersTheLengthWithoutTheBody() {
        String alice = server.registerToken("head-alice");
        String id = uploaded(alice, random(1234, 7), "application/octet-stream", null);
        Raw r = send("HEAD", V1 + "/download/" + TestClient.seg(serverName) + "/" + id, alice, null, Map.of());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Length")).isEqualTo("1234");
        assertThat(r.bytes()).isEmpty();
    }
}
