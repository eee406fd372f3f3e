package org.callhs.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestServer;
import org.callhs.core.util.Json;
import org.callhs.media.MediaModule;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Media between servers: a client of B downloads A's media (and its thumbnails) through B,
 * which fetches it over signed HTTPS and keeps a copy; A's federation media endpoints answer
 * the spec's multipart; and a stand-in for an older server exercises the legacy fallback, a
 * redirect, a file over the limit and a malformed answer.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class MediaFederationTest {
    static TestServer a;
    static TestServer b;
    static int portA;
    static int portB;
    static FederationClient asB;
    static Server fake;
    static int fakePort;
    static final byte[] LEGACY_BYTES = bytes(70_000, 5);
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Parameter
    Backend backend;

    @BeforeParameterizedClassInvocation
    static void startServers(Backend backend) throws Exception {
        portA = FederatedPair.freePort();
        portB = FederatedPair.freePort();
        a = FederatedPair.start(backend, portA, List.of(new MediaModule()));
        b = FederatedPair.start(backend, portB, List.of(new MediaModule()), "media.max_upload_size=200000");
        asB = FederatedPair.clientAs(FederatedPair.name(portB), FederatedPair.signingKey(b));
        fake = olderServer();
    }

    @AfterParameterizedClassInvocation
    static void stopServers() throws Exception {
        fake.stop();
        asB.close();
        a.close();
        b.close();
    }

    static byte[] bytes(int size, long seed) {
        byte[] out = new byte[size];
        new Random(seed).nextBytes(out);
        return out;
    }

    record Raw(int status, byte[] body, java.net.http.HttpHeaders headers) {
        String header(String name) { return headers.firstValue(name).orElse(null); }

        String errcode() {
            try {
                return Json.parse(body).path("errcode").asText(null);
            } catch (Exception e) {
                return null;
            }
        }
    }

    static Raw call(TestServer server, String method, String path, String token, byte[] body, String type) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.homeserver().clientPort() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) request.header("Authorization", "Bearer " + token);
        if (type != null) request.header("Content-Type", type);
        try {
            HttpResponse<byte[]> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Raw(response.statusCode(), response.body(), response.headers());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Uploads to A; the media ID. */
    static String uploadToA(String token, byte[] bytes, String type, String fileName) throws Exception {
        Raw r = call(a, "POST", "/_matrix/media/v3/upload" + (fileName == null ? "" : "?filename=" + TestClient.seg(fileName)), token,
                bytes, type);
        assertThat(r.status()).isEqualTo(200);
        String uri = Json.parse(r.body()).path("content_uri").asText();
        return uri.substring(uri.lastIndexOf('/') + 1);
    }

    static Raw downloadViaB(String token, String server, String mediaId) {
        return call(b, "GET", "/_matrix/client/v1/media/download/" + TestClient.seg(server) + "/" + mediaId, token, null, null);
    }

    @Test
    void aClientOfBDownloadsAsMediaByteForByteWithItsName() throws Exception {
        String alice = a.registerToken("fm-alice");
        String bob = b.registerToken("fm-bob");
        byte[] bytes = bytes(150_000, 1);
        String id = uploadToA(alice, bytes, "img/png", "\uD83D\uDC14");
        Raw r = downloadViaB(bob, FederatedPair.name(portA), id);
        assertThat(r.status()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(r.body()).isEqualTo(bytes);
        assertThat(r.header("Content-Type")).isEqualTo("img/png");
        assertThat(r.header("Content-Disposition")).isEqualTo("attachment; filename*=utf-8''%F0%9F%90%94");
        // B keeps a copy: served again even when A has deleted its own.
        a.homeserver().database().dsl().execute("UPDATE media SET quarantined_by = 'x' WHERE media_id = ?", id);
        assertThat(downloadViaB(bob, FederatedPair.name(portA), id).body()).isEqualTo(bytes);
    }

    @Test
    void aFileWithoutLineBreaksCrossesIntact() throws Exception {
        // One 180 kB "line": the multipart parser's header line limit must not apply to the file.
        String alice = a.registerToken("fnl-alice");
        String bob = b.registerToken("fnl-bob");
        byte[] bytes = "A".repeat(180_000).getBytes(StandardCharsets.US_ASCII);
        String id = uploadToA(alice, bytes, "application/octet-stream", null);
        Raw r = downloadViaB(bob, FederatedPair.name(portA), id);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(bytes);
    }

    @Test
    void thumbnailsOfRemoteMediaAreMadeFromTheCopy() throws Exception {
        String alice = a.registerToken("ft-alice");
        String bob = b.registerToken("ft-bob");
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(300, 200, java.awt.image.BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        javax.imageio.ImageIO.write(image, "png", png);
        String id = uploadToA(alice, png.toByteArray(), "image/png", null);
        Raw r = call(b, "GET", "/_matrix/client/v1/media/thumbnail/" + TestClient.seg(FederatedPair.name(portA)) + "/" + id
                + "?width=32&height=32&method=crop", bob, null, null);
        assertThat(r.status()).isEqualTo(200);
        var thumb = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(r.body()));
        assertThat(thumb.getWidth()).isEqualTo(32);
        assertThat(thumb.getHeight()).isEqualTo(32);
    }

    @Test
    void unknownRemoteMediaIs404() {
        String bob = b.registerToken("fu-bob");
        Raw r = downloadViaB(bob, FederatedPair.name(portA), "NoSuchMedia");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errcode()).isEqualTo("M_NOT_FOUND");
    }

    @Test
    void remoteFilesBeyondTheLimitAre502TooLarge() throws Exception {
        String alice = a.registerToken("fl-alice");
        String bob = b.registerToken("fl-bob");
        String id = uploadToA(alice, bytes(300_000, 2), "application/octet-stream", null);
        Raw r = downloadViaB(bob, FederatedPair.name(portA), id);
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.errcode()).isEqualTo("M_TOO_LARGE");
        try (var files = Files.walk(b.dataDir().resolve("media").resolve("tmp"))) {
            assertThat(files.filter(Files::isRegularFile).count()).isZero();
        }
    }

    @Test
    void theFederationEndpointAnswersMultipart() throws Exception {
        String alice = a.registerToken("fmp-alice");
        byte[] bytes = "hello, other server".getBytes(StandardCharsets.UTF_8);
        String id = uploadToA(alice, bytes, "text/plain", "note.txt");
        Object[] seen = new Object[3];
        asB.getStreamed(FederatedPair.name(portA), "/_matrix/federation/v1/media/download/" + id, true, 10_000, (status, headers, body) -> {
            seen[0] = status;
            seen[1] = headers.get("Content-Type");
            seen[2] = new String(body.readAllBytes(), StandardCharsets.UTF_8);
            return null;
        });
        assertThat(seen[0]).isEqualTo(200);
        String type = (String) seen[1];
        assertThat(type).startsWith("multipart/mixed; boundary=");
        String boundary = type.substring(type.indexOf("boundary=") + 9);
        assertThat(boundary).doesNotContain("\"");
        assertThat((String) seen[2]).isEqualTo("\r\n--" + boundary + "\r\nContent-Type: application/json\r\n\r\n{}\r\n--" + boundary
                + "\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Disposition: inline; filename=note.txt\r\n\r\n"
                + "hello, other server\r\n--" + boundary + "--\r\n");
        // Unsigned: refused.
        var unsigned = RawFederation.call(portA, "GET", "/_matrix/federation/v1/media/download/" + id, null, null);
        assertThat(unsigned.status()).isEqualTo(401);
        // Only this server's own media, and thumbnails the same way.
        FederationException missing = org.junit.jupiter.api.Assertions.assertThrows(FederationException.class,
                () -> asB.request(FederatedPair.name(portA), "GET", "/_matrix/federation/v1/media/thumbnail/Nope?width=1&height=1", null, 5000));
        assertThat(missing.status()).isEqualTo(404);
    }

    @Test
    void olderServersAreAskedThroughTheLegacyDownload() {
        String bob = b.registerToken("fo-bob");
        Raw r = downloadViaB(bob, "localhost:" + fakePort, "legacyonly");
        assertThat(r.status()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(r.body()).isEqualTo(LEGACY_BYTES);
        assertThat(r.header("Content-Disposition")).isEqualTo("inline; filename=old.png");
    }

    @Test
    void aLocationInTheMultipartIsFollowed() {
        String bob = b.registerToken("fr-bob");
        Raw r = downloadViaB(bob, "localhost:" + fakePort, "redirected");
        assertThat(r.status()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(r.body()).isEqualTo(LEGACY_BYTES);
        assertThat(r.header("Content-Type")).isEqualTo("image/png");
    }

    @Test
    void aMalformedAnswerIs502AndLeavesNothingCached() {
        String bob = b.registerToken("fb-bob");
        Raw r = downloadViaB(bob, "localhost:" + fakePort, "garbage");
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.errcode()).isNotNull();
        assertThat(downloadViaB(bob, "localhost:" + fakePort, "garbage").status()).isEqualTo(502);
    }

    /**
     * A stand-in for other servers over HTTPS: {@code legacyonly} exists only on the legacy path
     * (the federation one is unknown to it), {@code redirected} answers with a Location,
     * {@code garbage} with a multipart that has no end.
     */
    static Server olderServer() throws Exception {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(org.callhs.core.s2s.TlsMaterial.load("", "", Files.createTempDirectory("fake-tls"), "localhost"));
        ssl.setKeyStorePassword(new String(org.callhs.core.s2s.TlsMaterial.STORE_PASSWORD));
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server, ssl);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String path = request.getHttpURI().getDecodedPath();
                String query = request.getHttpURI().getQuery();
                if (path.equals("/_matrix/federation/v1/media/download/legacyonly")) {
                    json(response, callback, 404, "{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"Unrecognized request\"}");
                } else if (path.equals("/_matrix/media/v3/download/localhost:" + fakePort + "/legacyonly") && query.contains("allow_remote=false")) {
                    bytes(response, callback, "image/png", "inline; filename=old.png");
                } else if (path.equals("/_matrix/federation/v1/media/download/redirected")) {
                    String body = "\r\n--xyz\r\nContent-Type: application/json\r\n\r\n{}\r\n--xyz\r\nLocation: https://127.0.0.1:" + fakePort
                            + "/files/1\r\n\r\n\r\n--xyz--\r\n";
                    response.setStatus(200);
                    response.getHeaders().put("Content-Type", "multipart/mixed; boundary=xyz");
                    response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
                } else if (path.equals("/files/1")) {
                    bytes(response, callback, "image/png", null);
                } else if (path.equals("/_matrix/federation/v1/media/download/garbage")) {
                    response.setStatus(200);
                    response.getHeaders().put("Content-Type", "multipart/mixed; boundary=xyz");
                    response.write(true, ByteBuffer.wrap("--xyz\r\nContent-Type: application/json\r\n\r\n{".getBytes()), callback);
                } else {
                    json(response, callback, 404, "{\"errcode\":\"M_NOT_FOUND\",\"error\":\"no\"}");
                }
                return true;
            }
        });
        server.start();
        fakePort = connector.getLocalPort();
        return server;
    }

    private static void json(Response response, Callback callback, int status, String body) {
        response.setStatus(status);
        response.getHeaders().put("Content-Type", "application/json");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }

    private static void bytes(Response response, Callback callback, String type, String disposition) {
        response.setStatus(200);
        response.getHeaders().put("Content-Type", type);
        if (disposition != null) response.getHeaders().put("Content-Disposition", disposition);
        response.write(true, ByteBuffer.wrap(LEGACY_BYTES), callback);
    }

}
