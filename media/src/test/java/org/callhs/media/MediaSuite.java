package org.callhs.media;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestServer;
import org.callhs.core.util.Json;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/** A server with the media module on each backend, and raw-byte HTTP calls the media tests share. */
abstract class MediaSuite {
    static final String V1 = "/_matrix/client/v1/media";
    static final String UPLOAD = "/_matrix/media/v3/upload";
    protected static TestServer server;
    protected static TestClient client;
    protected static String serverName;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Parameter
    protected Backend backend;

    /** An answer with its raw bytes. */
    record Raw(int status, byte[] bytes, java.net.http.HttpHeaders headers) {
        String header(String name) { return headers.firstValue(name).orElse(null); }

        JsonNode json() {
            try {
                return Json.parse(bytes);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + new String(bytes, java.nio.charset.StandardCharsets.UTF_8), e);
            }
        }

        String errcode() { return json().path("errcode").asText(null); }
    }

    static void start(Backend backend, String... sets) {
        start(backend, Clock.systemUTC(), sets);
    }

    static void start(Backend backend, Clock clock, String... sets) {
        server = TestServer.start(backend, List.of(new MediaModule()), clock, sets);
        client = server.client();
        serverName = client.get("/_matrix/client/v3/account/whoami", server.registerToken("whoami-" + System.nanoTime()))
                .text("user_id").replaceFirst("^[^:]*:", "");
    }

    @AfterParameterizedClassInvocation
    static void stopServer() {
        server.close();
    }

    static String base() { return "http://127.0.0.1:" + server.homeserver().clientPort(); }

    static Raw send(String method, String path, String token, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) request.header("Authorization", "Bearer " + token);
        // A large body waits for the server's go-ahead, as curl does past 1 MB: a body refused from its declared length
        // (413) is then never sent, instead of being cut off mid-write, which loses the answer to a broken pipe.
        if (body != null && body.length > 1_000_000) request.expectContinue(true);
        headers.forEach(request::header);
        try {
            HttpResponse<byte[]> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Raw(response.statusCode(), response.body(), response.headers());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Raw get(String path, String token) { return send("GET", path, token, null, Map.of()); }

    /** Uploads {@code bytes} as {@code type} (named {@code fileName} when not null): the answer. */
    static Raw upload(String token, byte[] bytes, String type, String fileName) {
        String path = UPLOAD + (fileName == null ? "" : "?filename=" + TestClient.seg(fileName));
        return send("POST", path, token, bytes, type == null ? Map.of() : Map.of("Content-Type", type));
    }

    /** Uploads and returns the media ID (the part of the mxc URI after the server name). */
    static String uploaded(String token, byte[] bytes, String type, String fileName) {
        Raw r = upload(token, bytes, type, fileName);
        assertThat(r.status()).as(new String(r.bytes())).isEqualTo(200);
        String uri = r.json().path("content_uri").asText();
        assertThat(uri).startsWith("mxc://" + serverName + "/");
        return uri.substring(("mxc://" + serverName + "/").length());
    }

    static Raw download(String mediaId, String token) {
        return get(V1 + "/download/" + TestClient.seg(serverName) + "/" + mediaId, token);
    }

    static Raw thumbnail(String mediaId, String token, int width, int height, String method) {
        return get(V1 + "/thumbnail/" + TestClient.seg(serverName) + "/" + mediaId + "?width=" + width + "&height=" + height
                + "&method=" + method, token);
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new java.util.Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** A gradient picture of {@code width} x {@code height} in {@code format} (png, jpg, gif). */
    static byte[] image(int width, int height, String format, boolean alpha) {
        BufferedImage image = new BufferedImage(width, height, alpha ? BufferedImage.TYPE_INT_ARGB
                : format.equals("gif") ? BufferedImage.TYPE_BYTE_INDEXED : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(255, 0, 0, alpha ? 100 : 255), width, height, Color.BLUE));
        g.fillRect(0, 0, width, height);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            assertThat(ImageIO.write(image, format, out)).isTrue();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** The width and height of an encoded image. */
    static int[] size(byte[] encoded) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(encoded));
            assertThat(image).as("decodable image").isNotNull();
            return new int[] {image.getWidth(), image.getHeight()};
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
