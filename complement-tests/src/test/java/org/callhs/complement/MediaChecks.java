package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsResponse;

/**
 * Media across two servers, whichever implementations they are: a file uploaded on one is
 * downloaded by a user of the other through their own server (authenticated media), byte for
 * byte, with its type and its non-ASCII filename, and thumbnailed there.
 */
final class MediaChecks {
    private MediaChecks() {}

    /** {@code uploader} (on {@code uploaderServer}) uploads; {@code downloader} gets it through its own server. */
    static void mediaAcrossServers(CsApiClient uploader, String uploaderServer, CsApiClient downloader) {
        byte[] png = picture(640, 400);
        String fileName = "\uD83D\uDC14 picture.png";
        CsResponse upload = uploader.requestAt("POST", "_matrix", "media", "v3", "upload")
                .query("filename", fileName).body(png, "image/png").send();
        String uri = upload.assertOk().path("content_uri").asText();
        assertThat(uri).startsWith("mxc://" + uploaderServer + "/");
        String mediaId = uri.substring(uri.lastIndexOf('/') + 1);

        CsResponse download = downloader.requestAt("GET", "_matrix", "client", "v1", "media", "download", uploaderServer, mediaId).send();
        assertThat(download.status()).as(download.describe()).isEqualTo(200);
        assertThat(download.bytes()).isEqualTo(png);
        assertThat(download.header("Content-Type").orElse("")).startsWith("image/png");
        String disposition = download.header("Content-Disposition").orElse("");
        assertThat(disposition).startsWith("inline");
        assertThat(fileNameOf(disposition)).isEqualTo(fileName);

        CsResponse thumbnail = downloader.requestAt("GET", "_matrix", "client", "v1", "media", "thumbnail", uploaderServer, mediaId)
                .query("width", "32").query("height", "32").query("method", "crop").send();
        assertThat(thumbnail.status()).as(thumbnail.describe()).isEqualTo(200);
        BufferedImage thumb = read(thumbnail.bytes());
        assertThat(thumb.getWidth()).isEqualTo(32);
        assertThat(thumb.getHeight()).isEqualTo(32);

        CsResponse missing = downloader.requestAt("GET", "_matrix", "client", "v1", "media", "download", uploaderServer, "NoSuchMediaAnywhere")
                .send();
        assertThat(missing.status()).as(missing.describe()).isEqualTo(404);
    }

    /** The filename in a Content-Disposition, decoding RFC 5987 {@code filename*} (preferred) or a plain or quoted one. */
    static String fileNameOf(String disposition) {
        String plain = null;
        for (String part : disposition.split(";")) {
            String p = part.trim();
            if (p.toLowerCase().startsWith("filename*=")) {
                String value = p.substring("filename*=".length());
                int quotes = value.indexOf("''");
                return URLDecoder.decode(value.substring(quotes + 2).replace("+", "%2B"), StandardCharsets.UTF_8);
            }
            if (p.toLowerCase().startsWith("filename=")) {
                plain = p.substring("filename=".length());
                if (plain.startsWith("\"") && plain.endsWith("\"")) plain = plain.substring(1, plain.length() - 1);
            }
        }
        return plain;
    }

    static byte[] picture(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) image.setRGB(x, y, (x * 255 / width) << 16 | (y * 255 / height) << 8 | 90);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static BufferedImage read(byte[] bytes) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            assertThat(image).as("a decodable thumbnail").isNotNull();
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
