package org.callhs.bench;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;

/**
 * The content repository, measured the same way on any homeserver:
 * <ul>
 *   <li>{@code media-upload-10k}, {@code media-upload-5m}: each iteration uploads a file of
 *       10 KiB or 5 MiB of random bytes ({@code POST /_matrix/media/v3/upload},
 *       {@code application/octet-stream});</li>
 *   <li>{@code media-download-10k}, {@code media-download-5m}: each user uploads one such file
 *       during setup; each iteration downloads it through authenticated media and checks its length;</li>
 *   <li>{@code media-thumbnail}: each iteration uploads a new 1600x1200 JPEG photo-like image
 *       and then asks for its 320x240 {@code scale} thumbnail; the series are the upload, the
 *       thumbnail request, and both together (servers that make thumbnails while the upload
 *       waits pay there, servers that make them afterwards pay in the thumbnail request).</li>
 * </ul>
 * Files differ per user (a seed each), so nothing is de-duplicated by content.
 */
public final class MediaScenario implements Scenario {
    public static final String UPLOAD_10K = "media-upload-10k";
    public static final String UPLOAD_5M = "media-upload-5m";
    public static final String DOWNLOAD_10K = "media-download-10k";
    public static final String DOWNLOAD_5M = "media-download-5m";
    public static final String THUMBNAIL = "media-thumbnail";
    private static final String UPLOAD = "upload";
    private static final String DOWNLOAD = "download";
    static final String UPLOAD_SERIES = "upload";
    static final String DOWNLOAD_SERIES = "download";
    static final String THUMBNAIL_SERIES = "thumbnail";
    static final String BOTH_SERIES = "upload+thumbnail";
    static final int SMALL = 10 * 1024;
    static final int LARGE = 5 * 1024 * 1024;

    private final String name;
    private final String kind;
    private final String runId;
    private final int bytes;
    private final ConcurrentHashMap<Integer, byte[]> files = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, String> mediaIds = new ConcurrentHashMap<>();
    /** Bytes uploaded or downloaded by measured iterations (the warm-up's are not counted). */
    private final AtomicLong bytesMoved = new AtomicLong();
    private final AtomicLong wrongLengths = new AtomicLong();

    private MediaScenario(String name, String kind, String runId, int bytes) {
        this.name = name;
        this.kind = kind;
        this.runId = runId;
        this.bytes = bytes;
    }

    static MediaScenario named(String name, String runId) {
        return switch (name) {
            case UPLOAD_10K -> new MediaScenario(name, UPLOAD, runId, SMALL);
            case UPLOAD_5M -> new MediaScenario(name, UPLOAD, runId, LARGE);
            case DOWNLOAD_10K -> new MediaScenario(name, DOWNLOAD, runId, SMALL);
            case DOWNLOAD_5M -> new MediaScenario(name, DOWNLOAD, runId, LARGE);
            case THUMBNAIL -> new MediaScenario(name, THUMBNAIL, runId, 0);
            default -> throw new IllegalArgumentException("not a media scenario: " + name);
        };
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> seriesNames() {
        return switch (kind) {
            case UPLOAD -> List.of(UPLOAD_SERIES);
            case DOWNLOAD -> List.of(DOWNLOAD_SERIES);
            default -> List.of(BOTH_SERIES, UPLOAD_SERIES, THUMBNAIL_SERIES);
        };
    }

    @Override
    public void prepare(VirtualUser user) throws RequestFailure {
        user.register(runId, "m" + user.index());
        files.put(user.index(), kind.equals(THUMBNAIL) ? photo(user.index()) : random(bytes, user.index()));
        if (kind.equals(DOWNLOAD)) {
            mediaIds.put(user.index(), user.client().upload(user.session().accessToken(), files.get(user.index()), "application/octet-stream"));
        }
    }

    @Override
    public void iterate(VirtualUser user, Iteration iteration) throws RequestFailure {
        String token = user.session().accessToken();
        byte[] file = files.get(user.index());
        switch (kind) {
            case UPLOAD -> {
                iteration.time(UPLOAD_SERIES, () -> user.client().upload(token, file, "application/octet-stream"));
                if (iteration.measured()) bytesMoved.addAndGet(file.length);
            }
            case DOWNLOAD -> {
                byte[] got = iteration.time(DOWNLOAD_SERIES, () -> user.client().download(token, serverName(user), mediaIds.get(user.index())));
                if (got.length != file.length) wrongLengths.incrementAndGet();
                if (iteration.measured()) bytesMoved.addAndGet(got.length);
            }
            default -> {
                String mediaId = iteration.time(UPLOAD_SERIES, () -> user.client().upload(token, file, "image/jpeg"));
                byte[] thumb = iteration.time(THUMBNAIL_SERIES, () -> user.client().thumbnail(token, serverName(user), mediaId, 320, 240, "scale"));
                if (thumb.length == 0) wrongLengths.incrementAndGet();
                iteration.complete(BOTH_SERIES);
            }
        }
    }

    @Override
    public java.util.Map<String, Number> figures() {
        return java.util.Map.of("bytesMoved", bytesMoved.get(), "wrongLengths", wrongLengths.get(), "fileBytes",
                kind.equals(THUMBNAIL) ? files.values().stream().mapToInt(f -> f.length).max().orElse(0) : bytes);
    }

    private static String serverName(VirtualUser user) {
        String userId = user.session().userId();
        return userId.substring(userId.indexOf(':') + 1);
    }

    static byte[] random(int size, long seed) {
        byte[] out = new byte[size];
        new Random(seed * 7919 + size).nextBytes(out);
        return out;
    }

    /** A 1600x1200 JPEG with gradients and noise, so it compresses like a photo (a few hundred KB). */
    static byte[] photo(int seed) {
        BufferedImage image = new BufferedImage(1600, 1200, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(seed * 37 % 256, 90, 160), 1600, 1200, new Color(240, seed * 53 % 256, 40)));
        g.fillRect(0, 0, 1600, 1200);
        g.dispose();
        Random random = new Random(seed);
        for (int i = 0; i < 400_000; i++) {
            image.setRGB(random.nextInt(1600), random.nextInt(1200), random.nextInt(0xffffff));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "jpg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
