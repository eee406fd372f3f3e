package org.callhs.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Thumbnails of each format and method, their sizes, caching, and the refusals. */
@ParameterizedClass
@EnumSource(Backend.class)
class ThumbnailTest extends MediaSuite {
    /** 64 x 48, lossless WebP (made with cwebp). */
    static final byte[] WEBP_LOSSLESS = Base64.getDecoder().decode(
            "UklGRkAAAABXRUJQVlA4TDQAAAAvP8ALAAmAIAb8RyuI6H/qC4Ag/KcriOh/6lDTtgHTyR94/4pA0hZv+wcwJgDErRfA+v8G");
    /** 64 x 48, lossy WebP (made with cwebp -q 80). */
    static final byte[] WEBP_LOSSY = Base64.getDecoder().decode(
            "UklGRv4AAABXRUJQVlA4IPIAAABwCACdASpAADAAPm0ukkWvLyGYDVQA8AbEszVzVYB3029P38ZTcjp9U4B59i6DIU7inlR5QZZCwBpSyZ//m7SduO68P8M7"
            + "T1SaW3zwAP79XpzfBCznNQ0P/5v3sM9Hc5tYo3hWF1JyrxKMa1/EUR0tRVl7F/tNphs31tzDhtv2iG7fnbDu3sT1rCnqecQVBVbZhehSbHx4jN1WcIcUTbkf"
            + "zbV941GWHyZjro/a462zjtf+Q4jlncSilBA9IsBfr3i/pap6w26S3Cb9YIJVfH7n33LpQFbYiXDkCBUxJU42U+f8s9lxPXXqcWBlvgiA27sAAA==");

    @BeforeParameterizedClassInvocation
    static void startServer(Backend backend) {
        start(backend, "media.max_image_pixels=4000000");
    }

    private static int[] thumbSize(Raw r) {
        assertThat(r.status()).as(new String(r.bytes(), StandardCharsets.UTF_8)).isEqualTo(200);
        return size(r.bytes());
    }

    @Test
    void scaleFitsInsideTheSmallestConfiguredSizeThatIsLargeEnough() {
        String alice = server.registerToken("scale-alice");
        String id = uploaded(alice, image(1000, 673, "png", false), "image/png", "large.png");
        // 32x32 scale: the 320x240 box is the smallest scale size at least that large.
        Raw r = thumbnail(id, alice, 32, 32, "scale");
        assertThat(r.header("Content-Type")).isEqualTo("image/png");
        assertThat(r.header("Content-Disposition")).isEqualTo("inline");
        assertThat(thumbSize(r)).containsExactly(320, 215);
        assertThat(thumbSize(thumbnail(id, alice, 500, 400, "scale"))).containsExactly(640, 431);
    }

    @Test
    void beyondEveryConfiguredSizeTheOriginalIsServedAndNothingIsMade() throws Exception {
        String alice = server.registerToken("beyond-alice");
        byte[] png = image(1000, 673, "png", false);
        String id = uploaded(alice, png, "image/png", null);
        assertThat(thumbnail(id, alice, 900, 900, "scale").bytes()).isEqualTo(png);
        assertThat(thumbnail(id, alice, 3000, 2000, "crop").bytes()).isEqualTo(png);
        for (int w = 801; w < 820; w++) assertThat(thumbnail(id, alice, w, 700, "scale").status()).isEqualTo(200);
        // Only the five configured sizes, whatever was asked.
        assertThat(awaitRows(id, 5)).isEqualTo(5);
        // An image that may be animated gets one still of its own size instead.
        String gif = uploaded(alice, image(1000, 600, "gif", false), "image/gif", null);
        Raw still = thumbnail(gif, alice, 900, 900, "scale");
        assertThat(still.header("Content-Type")).isEqualTo("image/png");
        assertThat(thumbSize(still)).containsExactly(1000, 600);
        assertThat(thumbnail(gif, alice, 2000, 2000, "crop").bytes()).isEqualTo(still.bytes());
        assertThat(awaitRows(gif, 6)).isEqualTo(6);
    }

    /** The thumbnail rows of {@code mediaId} once they reach {@code expected} (pregeneration runs after the upload), or after 20 s. */
    private static int awaitRows(String mediaId, int expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        int rows;
        do {
            rows = server.homeserver().database().dsl().fetchCount(org.callhs.media.schema.Tables.MEDIA_THUMBNAILS,
                    org.callhs.media.schema.Tables.MEDIA_THUMBNAILS.MEDIA_ID.eq(mediaId));
            if (rows < expected) Thread.sleep(50);
        } while (rows < expected && System.currentTimeMillis() < deadline);
        Thread.sleep(200); // and nothing more arrives
        return server.homeserver().database().dsl().fetchCount(org.callhs.media.schema.Tables.MEDIA_THUMBNAILS,
                org.callhs.media.schema.Tables.MEDIA_THUMBNAILS.MEDIA_ID.eq(mediaId));
    }

    @Test
    void cropFillsTheRequestedAspect() {
        String alice = server.registerToken("crop-alice");
        byte[] jpeg = image(1000, 673, "jpg", false);
        String id = uploaded(alice, jpeg, "image/jpeg", null);
        Raw r = thumbnail(id, alice, 32, 32, "crop");
        assertThat(r.header("Content-Type")).isEqualTo("image/jpeg");
        assertThat(thumbSize(r)).containsExactly(32, 32);
        assertThat(thumbSize(thumbnail(id, alice, 50, 50, "crop"))).containsExactly(96, 96);
        // Larger than the largest crop size: the original, never a smaller crop.
        assertThat(thumbnail(id, alice, 400, 200, "crop").bytes()).isEqualTo(jpeg);
    }

    @Test
    void everyFormatIsThumbnailed() {
        String alice = server.registerToken("formats-alice");
        record Case(byte[] bytes, String type, String thumbType) {}
        for (Case c : new Case[] {
                new Case(image(200, 100, "png", true), "image/png", "image/png"),
                new Case(image(200, 100, "jpg", false), "image/jpeg", "image/jpeg"),
                new Case(image(200, 100, "gif", false), "image/gif", "image/png"),
                new Case(WEBP_LOSSLESS, "image/webp", "image/png"),
                new Case(WEBP_LOSSY, "image/webp", "image/png")}) {
            String id = uploaded(alice, c.bytes(), c.type(), null);
            Raw crop = thumbnail(id, alice, 32, 32, "crop");
            assertThat(crop.header("Content-Type")).as(c.type()).isEqualTo(c.thumbType());
            assertThat(thumbSize(crop)).as(c.type()).containsExactly(32, 32);
            // 20x20 scale is answered from the 320x240 size, which is no larger than the original.
            int[] original = size(c.bytes());
            assertThat(thumbSize(thumbnail(id, alice, 20, 20, "scale"))).as(c.type()).containsExactly(original[0], original[1]);
        }
    }

    @Test
    void anOriginalSmallerThanTheRequestIsServedAsItIs() {
        String alice = server.registerToken("small-alice");
        byte[] small = image(20, 10, "png", false);
        String id = uploaded(alice, small, "image/png", null);
        Raw r = thumbnail(id, alice, 32, 32, "scale");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bytes()).isEqualTo(small);
        // A GIF may be animated: it is served whole only when animation is asked for.
        byte[] gif = image(20, 10, "gif", false);
        String gifId = uploaded(alice, gif, "image/gif", null);
        Raw still = thumbnail(gifId, alice, 32, 32, "scale");
        assertThat(still.header("Content-Type")).isEqualTo("image/png");
        assertThat(thumbSize(still)).containsExactly(20, 10);
        Raw animated = get(V1 + "/thumbnail/" + TestClient.seg(serverName) + "/" + gifId + "?width=32&height=32&animated=true", alice);
        assertThat(animated.bytes()).isEqualTo(gif);
        assertThat(animated.header("Content-Type")).isEqualTo("image/gif");
    }

    @Test
    void thumbnailsAreMadeOnceAndServedTheSameEachTime() throws Exception {
        String alice = server.registerToken("cache-alice");
        String id = uploaded(alice, image(700, 500, "png", false), "image/png", null);
        byte[] first = thumbnail(id, alice, 96, 96, "crop").bytes();
        byte[] second = thumbnail(id, alice, 96, 96, "crop").bytes();
        assertThat(second).isEqualTo(first);
        assertThat(thumbnail(id, alice, 300, 200, "scale").bytes()).isEqualTo(thumbnail(id, alice, 320, 240, "scale").bytes());
        // The five configured sizes, made after the upload answered.
        assertThat(awaitRows(id, 5)).isEqualTo(5);
    }

    @Test
    void anAnimatedPngIsNotServedWhenAStillIsExpected() throws Exception {
        String alice = server.registerToken("apng-alice");
        byte[] apng = animatedPng(image(20, 10, "png", false));
        String id = uploaded(alice, apng, "image/png", null);
        Raw still = thumbnail(id, alice, 32, 32, "scale");
        assertThat(still.bytes()).isNotEqualTo(apng);
        assertThat(thumbSize(still)).containsExactly(20, 10);
        Raw animated = get(V1 + "/thumbnail/" + TestClient.seg(serverName) + "/" + id + "?width=32&height=32&animated=true", alice);
        assertThat(animated.bytes()).isEqualTo(apng);
    }

    /** {@code png} with an APNG animation control chunk ({@code acTL}) inserted before its image data. */
    static byte[] animatedPng(byte[] png) throws Exception {
        int ihdrEnd = 8 + 12 + 13; // signature, then IHDR (length, type, 13 bytes of data, CRC)
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, ihdrEnd);
        chunk(out, "acTL", java.nio.ByteBuffer.allocate(8).putInt(1).putInt(0).array());
        out.write(png, ihdrEnd, png.length - ihdrEnd);
        return out.toByteArray();
    }

    @Test
    void mediaThatIsNotAnImageHasNoThumbnails() {
        String alice = server.registerToken("nonimage-alice");
        String pdf = uploaded(alice, "%PDF-1.4".getBytes(StandardCharsets.UTF_8), "application/pdf", null);
        Raw r = thumbnail(pdf, alice, 32, 32, "crop");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errcode()).isEqualTo("M_UNKNOWN");
        // Says it is a PNG but is not one.
        String liar = uploaded(alice, "not a png".getBytes(StandardCharsets.UTF_8), "image/png", null);
        Raw bad = thumbnail(liar, alice, 32, 32, "crop");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.errcode()).isEqualTo("M_UNKNOWN");
    }

    @Test
    void imagesWithTooManyPixelsAreNotDecoded() throws Exception {
        String alice = server.registerToken("bomb-alice");
        // 3000 x 3000 of zeros: 9 megapixels (over this server's 4) in a few kilobytes.
        byte[] bomb = blankPng(3000, 3000);
        assertThat(bomb.length).isLessThan(100_000);
        String id = uploaded(alice, bomb, "image/png", null);
        Raw r = thumbnail(id, alice, 32, 32, "crop");
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.errcode()).isEqualTo("M_TOO_LARGE");
    }

    @Test
    void badThumbnailParametersAre400() {
        String alice = server.registerToken("thumb-params-alice");
        String id = uploaded(alice, image(50, 50, "png", false), "image/png", null);
        String base = V1 + "/thumbnail/" + TestClient.seg(serverName) + "/" + id;
        Raw noWidth = get(base + "?height=32", alice);
        assertThat(noWidth.status()).isEqualTo(400);
        assertThat(noWidth.errcode()).isEqualTo("M_MISSING_PARAM");
        assertThat(get(base + "?width=0&height=32", alice).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(get(base + "?width=abc&height=32", alice).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(get(base + "?width=32&height=32&method=stretch", alice).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(get(base + "?width=32&height=32&animated=maybe", alice).errcode()).isEqualTo("M_INVALID_PARAM");
    }

    /** A valid greyscale PNG of zeros: tiny on disk, large once decoded. */
    static byte[] blankPng(int width, int height) throws Exception {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new java.util.zip.Deflater(9))) {
            byte[] row = new byte[width + 1];
            for (int y = 0; y < height; y++) z.write(row);
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 0)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(png, "IHDR", ihdr.array());
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws Exception {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.write(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
