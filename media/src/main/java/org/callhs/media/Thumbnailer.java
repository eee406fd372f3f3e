package org.callhs.media;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import net.coobird.thumbnailator.Thumbnails;
import net.coobird.thumbnailator.geometry.Positions;

/**
 * Decodes images and renders thumbnails with Thumbnailator on the JDK's ImageIO (PNG, GIF, and
 * JPEG and WebP through the TwelveMonkeys plugins). The image's size is read from its header
 * before any pixel is decoded, and images with more than {@code maxImagePixels} are refused
 * (a small file can declare a huge canvas). EXIF orientation is applied. Thumbnails are never
 * larger than the original: {@code scale} fits the image inside the box, {@code crop} fills
 * the box (or as much of it as the original covers) and cuts the overflow evenly from both
 * sides. JPEG originals give JPEG thumbnails; the others give PNG, which keeps transparency.
 * Only the first frame of an animation is used.
 */
final class Thumbnailer {
    /** The types thumbnails are made of (Synapse's list). */
    private static final Set<String> SUPPORTED = Set.of("image/jpeg", "image/jpg", "image/png", "image/gif", "image/webp");

    /** A decoded image, upright, with the type its thumbnails are encoded in. */
    record Decoded(BufferedImage image, String outputType) {}

    /** An encoded thumbnail, and the image it encodes. */
    record Rendered(byte[] bytes, int width, int height, String contentType, BufferedImage image) {}

    /** Why no thumbnail can be made: not an image of a supported type, too many pixels, or undecodable. */
    static final class NotThumbnailable extends Exception {
        private final boolean tooManyPixels;

        NotThumbnailable(String message) { this(message, false); }

        NotThumbnailable(String message, boolean tooManyPixels) {
            super(message);
            this.tooManyPixels = tooManyPixels;
        }

        /** The image is fine but larger than {@code max_image_pixels}. */
        boolean tooManyPixels() { return tooManyPixels; }
    }

    private final long maxImagePixels;

    Thumbnailer(long maxImagePixels) {
        this.maxImagePixels = maxImagePixels;
    }

    static boolean supports(String contentType) {
        return contentType != null && SUPPORTED.contains(baseType(contentType));
    }

    /**
     * Whether the file may be an animation: any GIF or WebP, and a PNG with an animation
     * control chunk ({@code acTL}, APNG) before its image data.
     */
    static boolean mayBeAnimated(String contentType, MediaStorage.Blob blob) {
        String type = baseType(contentType);
        if (type.equals("image/gif") || type.equals("image/webp")) return true;
        if (!type.equals("image/png")) return false;
        try (InputStream in = blob.open()) {
            byte[] head = in.readNBytes(64 * 1024);
            for (int i = 8; i + 8 <= head.length; ) {
                int length = ((head[i] & 0xff) << 24) | ((head[i + 1] & 0xff) << 16) | ((head[i + 2] & 0xff) << 8) | (head[i + 3] & 0xff);
                String chunk = new String(head, i + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
                if (chunk.equals("acTL")) return true;
                if (chunk.equals("IDAT") || length < 0) return false;
                i += 12 + length;
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    static String baseType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    Decoded decode(MediaStorage.Blob blob, String contentType) throws NotThumbnailable, IOException {
        if (!supports(contentType)) throw new NotThumbnailable("media of type " + contentType + " has no thumbnails");
        checkDimensions(blob);
        BufferedImage image;
        try (InputStream in = blob.open()) {
            // scale(1) applies EXIF orientation and gives an ARGB image whatever the source's colour model.
            image = Thumbnails.of(in).scale(1.0).imageType(BufferedImage.TYPE_INT_ARGB).asBufferedImage();
        } catch (IOException | RuntimeException e) {
            throw new NotThumbnailable("the image could not be decoded: " + e.getMessage());
        }
        String type = baseType(contentType);
        return new Decoded(image, type.equals("image/jpeg") || type.equals("image/jpg") ? "image/jpeg" : "image/png");
    }

    private void checkDimensions(MediaStorage.Blob blob) throws NotThumbnailable {
        int[] size = dimensions(blob);
        if (size == null) throw new NotThumbnailable("the content is not an image this server reads");
        long pixels = (long) size[0] * size[1];
        if (pixels > maxImagePixels) {
            throw new NotThumbnailable("the image has " + pixels + " pixels, more than the " + maxImagePixels + " thumbnailed", true);
        }
    }

    /** Width and height from the image's header (no pixels decoded), or null when it is not an image this server reads. */
    static int[] dimensions(MediaStorage.Blob blob) {
        try (InputStream in = blob.open(); ImageInputStream iis = ImageIO.createImageInputStream(in)) {
            Iterator<ImageReader> readers = iis == null ? null : ImageIO.getImageReaders(iis);
            if (readers == null || !readers.hasNext()) return null;
            ImageReader reader = readers.next();
            try {
                reader.setInput(iis, true, true);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A thumbnail of at most {@code width} x {@code height} ({@code method} crop or scale). */
    Rendered render(Decoded decoded, int width, int height, String method) throws IOException {
        return render(decoded, decoded.image(), width, height, method);
    }

    /**
     * The same, scaled from {@code source}: the decoded image itself or a {@code scale}
     * thumbnail of it at least as large as the target (much cheaper for the small sizes, and
     * to the eye the same result). The size is worked out from the original's, so it does not depend
     * on the source.
     */
    Rendered render(Decoded decoded, BufferedImage source, int width, int height, String method) throws IOException {
        int w = decoded.image().getWidth();
        int h = decoded.image().getHeight();
        BufferedImage out;
        if ("crop".equals(method)) {
            int cw = Math.max(1, Math.min(width, w));
            int ch = Math.max(1, Math.min(height, h));
            out = Thumbnails.of(source).size(cw, ch).crop(Positions.CENTER).imageType(BufferedImage.TYPE_INT_ARGB).asBufferedImage();
        } else {
            double factor = Math.min(1.0, Math.min((double) width / w, (double) height / h));
            int tw = Math.max(1, (int) Math.round(w * factor));
            int th = Math.max(1, (int) Math.round(h * factor));
            out = Thumbnails.of(source).forceSize(tw, th).imageType(BufferedImage.TYPE_INT_ARGB).asBufferedImage();
        }
        return encode(out, decoded.outputType());
    }

    private static Rendered encode(BufferedImage image, String type) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (type.equals("image/jpeg")) {
            // JPEG has no alpha: flatten onto white first, or ImageIO writes a broken colour model.
            BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
            Graphics2D g = rgb.createGraphics();
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, rgb.getWidth(), rgb.getHeight());
            g.drawImage(image, 0, 0, null);
            g.dispose();
            Thumbnails.of(rgb).scale(1.0).outputFormat("jpg").outputQuality(0.8f).toOutputStream(bytes);
        } else {
            if (!ImageIO.write(image, "png", bytes)) throw new IOException("no PNG writer");
        }
        return new Rendered(bytes.toByteArray(), image.getWidth(), image.getHeight(), type, image);
    }
}
