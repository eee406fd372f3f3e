package org.callhs.media;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * URL previews with previews on and a local web site allowed (127.0.0.1 only): OpenGraph pages,
 * pages without it, images, redirects, the size limit, the cache, refused addresses and bad input.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class UrlPreviewTest extends MediaSuite {
    static Server site;
    static int sitePort;
    static final AtomicInteger pageFetches = new AtomicInteger();
    static final byte[] IMAGE = image(120, 80, "png", false);

    @BeforeParameterizedClassInvocation
    static void startServers(Backend backend) throws Exception {
        site = site();
        start(backend, "media.url_preview.enabled=true", "media.url_preview.ip_range_allowlist=[\"127.0.0.1/32\"]",
                "media.url_preview.max_spider_size=100000", "media.url_preview.timeout_ms=3000");
    }

    @AfterParameterizedClassInvocation
    static void stopSite() throws Exception {
        site.stop();
    }

    private static Raw preview(String url, String token) {
        return get(V1 + "/preview_url?url=" + TestClient.seg(url), token);
    }

    private static String at(String path) { return "http://127.0.0.1:" + sitePort + path; }

    @Test
    void anOpenGraphPageIsPreviewedWithItsImageStoredHere() {
        String alice = server.registerToken("og-alice");
        Raw r = preview(at("/og.html"), alice);
        assertThat(r.status()).as(new String(r.bytes(), StandardCharsets.UTF_8)).isEqualTo(200);
        JsonNode og = r.json();
        assertThat(og.path("og:title").asText()).isEqualTo("A page — with a title");
        assertThat(og.path("og:description").asText()).isEqualTo("What it is about");
        assertThat(og.path("og:site_name").asText()).isEqualTo("Example");
        String mxc = og.path("og:image").asText();
        assertThat(mxc).startsWith("mxc://" + serverName + "/");
        assertThat(og.path("og:image:type").asText()).isEqualTo("image/png");
        assertThat(og.path("og:image:width").asInt()).isEqualTo(120);
        assertThat(og.path("og:image:height").asInt()).isEqualTo(80);
        assertThat(og.path("matrix:image:size").asLong()).isEqualTo(IMAGE.length);
        assertThat(download(mxc.substring(mxc.lastIndexOf('/') + 1), alice).bytes()).isEqualTo(IMAGE);
    }

    @Test
    void aPageWithoutOpenGraphGivesItsTitleAndDescription() {
        String alice = server.registerToken("plain-alice");
        JsonNode og = preview(at("/plain.html"), alice).json();
        assertThat(og.path("og:title").asText()).isEqualTo("Plain page");
        assertThat(og.path("og:description").asText()).isEqualTo("Described plainly");
        assertThat(og.has("og:image")).isFalse();
    }

    @Test
    void anImageUrlIsPreviewedAsTheImage() {
        String alice = server.registerToken("img-alice");
        JsonNode og = preview(at("/picture.png"), alice).json();
        assertThat(og.path("og:image").asText()).startsWith("mxc://");
        assertThat(og.path("og:image:width").asInt()).isEqualTo(120);
        // Another type: an empty preview.
        assertThat(preview(at("/doc.pdf"), alice).json().size()).isZero();
    }

    @Test
    void redirectsAreFollowedAndPreviewsAreCached() {
        String alice = server.registerToken("redir-alice");
        int before = pageFetches.get();
        JsonNode og = preview(at("/moved"), alice).json();
        assertThat(og.path("og:title").asText()).isEqualTo("A page — with a title");
        assertThat(preview(at("/moved"), alice).json().path("og:title").asText()).isEqualTo("A page — with a title");
        assertThat(pageFetches.get() - before).isEqualTo(1);
    }

    @Test
    void pagesBeyondTheSizeLimitAndFailingSitesAre502() {
        String alice = server.registerToken("big-alice");
        Raw big = preview(at("/big.html"), alice);
        assertThat(big.status()).isEqualTo(502);
        assertThat(big.errcode()).isEqualTo("M_TOO_LARGE");
        Raw missing = preview(at("/missing"), alice);
        assertThat(missing.status()).isEqualTo(502);
        assertThat(missing.errcode()).isEqualTo("M_UNKNOWN");
    }

    @Test
    void addressesOutsideTheAllowlistAreRefused() {
        String alice = server.registerToken("ssrf-alice");
        // 127.0.0.2 is loopback too, but only 127.0.0.1 is allowed here: refused before connecting.
        Raw r = preview("http://127.0.0.2:" + sitePort + "/og.html", alice);
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.errcode()).isEqualTo("M_FORBIDDEN");
        // A redirect to a refused address is refused as well.
        Raw viaRedirect = preview(at("/to-forbidden"), alice);
        assertThat(viaRedirect.status()).isEqualTo(403);
        Raw localhost = preview("http://[::1]:" + sitePort + "/og.html", alice);
        assertThat(localhost.status()).isEqualTo(403);
    }

    @Test
    void badInputIs400() {
        String alice = server.registerToken("bad-alice");
        Raw none = get(V1 + "/preview_url", alice);
        assertThat(none.status()).isEqualTo(400);
        assertThat(none.errcode()).isEqualTo("M_MISSING_PARAM");
        for (String url : new String[] {"file:///etc/passwd", "ftp://example.org/x", "not a url", "/relative", "http://"}) {
            Raw r = preview(url, alice);
            assertThat(r.status()).as(url).isEqualTo(400);
            assertThat(r.errcode()).as(url).isEqualTo("M_INVALID_PARAM");
        }
        assertThat(get(V1 + "/preview_url?url=" + TestClient.seg(at("/og.html")) + "&ts=soon", alice).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(preview(at("/og.html"), null).status()).isEqualTo(401);
    }

    static Server site() throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String path = request.getHttpURI().getPath();
                switch (path) {
                    case "/og.html" -> {
                        pageFetches.incrementAndGet();
                        send(response, callback, 200, "text/html; charset=utf-8", ("<html><head><title>ignored</title>"
                                + "<meta property=\"og:title\" content=\"A page — with a title\">"
                                + "<meta property=\"og:description\" content=\"What it is about\">"
                                + "<meta property=\"og:site_name\" content=\"Example\">"
                                + "<meta property=\"og:image\" content=\"/picture.png\"></head><body>x</body></html>")
                                .getBytes(StandardCharsets.UTF_8));
                    }
                    case "/plain.html" -> send(response, callback, 200, "text/html", ("<html><head><title>Plain page</title>"
                            + "<meta name=\"description\" content=\"Described plainly\"></head></html>").getBytes(StandardCharsets.UTF_8));
                    case "/picture.png" -> send(response, callback, 200, "image/png", IMAGE);
                    case "/doc.pdf" -> send(response, callback, 200, "application/pdf", "%PDF".getBytes(StandardCharsets.UTF_8));
                    case "/big.html" -> send(response, callback, 200, "text/html", new byte[200_000]);
                    case "/moved" -> redirect(response, callback, "/og.html");
                    case "/to-forbidden" -> redirect(response, callback, "http://127.0.0.2:" + sitePort + "/og.html");
                    default -> send(response, callback, 404, "text/plain", "no".getBytes(StandardCharsets.UTF_8));
                }
                return true;
            }
        });
        server.start();
        sitePort = connector.getLocalPort();
        return server;
    }

    private static void redirect(Response response, Callback callback, String location) {
        response.setStatus(302);
        response.getHeaders().put("Location", location);
        response.write(true, null, callback);
    }

    private static void send(Response response, Callback callback, int status, String type, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put("Content-Type", type);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
