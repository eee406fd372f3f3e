package org.callhs.media;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.storage.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses, makes and caches thumbnails. A request for (width, height, method) is answered with
 * the smallest configured size of that method that is at least as large (the spec's sizes are
 * minimums); beyond the largest, or always with {@code dynamic_thumbnails}, with a thumbnail
 * made for exactly that size. An original no larger than the request is served as it is
 * (an animated GIF or WebP only when {@code animated=true}: otherwise a still of it is made).
 * Thumbnails are made once per size and stored: the configured sizes after each image upload,
 * any other size when first asked for. Decoding is bounded by a semaphore, since a 32-megapixel
 * image takes about 250 MB while it is scaled.
 */
final class Thumbnails implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Thumbnails.class);

    /** What a thumbnail request is answered with: a stored thumbnail, or the original file. */
    record Choice(String contentType, MediaStorage.Blob blob) {}

    private final String localServer;
    private final Database database;
    private final MediaRepository repository;
    private final MediaStorage storage;
    private final Thumbnailer thumbnailer;
    private final MediaConfig config;
    private final Clock clock;
    private final Semaphore decoding;
    private final ThreadPoolExecutor background;
    private final SingleFlight<Thumbnail> inFlight = new SingleFlight<>();
    /** Images whose configured sizes are queued or being made, by {@link #itemKey}. */
    private final Map<String, Pregeneration> pregenerating = new ConcurrentHashMap<>();
    /** Longest wait for a running pregeneration before making the thumbnail separately. */
    private static final long PREGENERATION_WAIT_MS = 30_000;
    /** Longest wait for a decoding slot. */
    private static final long DECODE_WAIT_MS = 30_000;

    Thumbnails(String localServer, Database database, MediaRepository repository, MediaStorage storage, Thumbnailer thumbnailer,
               MediaConfig config, Clock clock) {
        this.localServer = localServer;
        this.database = database;
        this.repository = repository;
        this.storage = storage;
        this.thumbnailer = thumbnailer;
        this.config = config;
        this.clock = clock;
        this.decoding = new Semaphore(Math.max(2, config.thumbnailThreads()));
        // A burst of uploads beyond the queue makes its thumbnails on first request instead.
        this.background = new ThreadPoolExecutor(config.thumbnailThreads(), config.thumbnailThreads(), 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(1000), Thread.ofPlatform().name("thumbnails-", 0).daemon().factory());
        background.allowCoreThreadTimeOut(true);
    }

    /** The configured sizes of one image being made: each size's completion, and whether a thread took the work. */
    private record Pregeneration(MediaItem item, Map<String, CompletableFuture<Void>> sizes, AtomicBoolean started) {}

    /**
     * Makes the configured sizes of a newly stored image, after the upload was answered. A
     * request for one of them meanwhile waits until that size is made instead of decoding the
     * image again (clients ask for a thumbnail right after uploading); when the work is still
     * queued, the request does it itself.
     */
    void pregenerate(MediaItem item) {
        if (!Thumbnailer.supports(item.contentType()) || config.thumbnailSizes().isEmpty()) return;
        Map<String, CompletableFuture<Void>> sizes = new ConcurrentHashMap<>();
        for (MediaConfig.ThumbnailSize size : config.thumbnailSizes()) sizes.put(sizeKey(size.width(), size.height(), size.method()), new CompletableFuture<>());
        Pregeneration work = new Pregeneration(item, sizes, new AtomicBoolean());
        pregenerating.put(itemKey(item), work);
        try {
            background.execute(() -> {
                if (work.started().compareAndSet(false, true)) run(work);
            });
        } catch (RejectedExecutionException e) {
            pregenerating.remove(itemKey(item), work);
            sizes.values().forEach(f -> f.complete(null));
            log.debug("thumbnail queue full; {} gets its thumbnails on request", item.mxc());
        }
    }

    private void run(Pregeneration work) {
        try {
            generateConfigured(work.item(), work.sizes());
        } catch (Exception e) {
            log.debug("no thumbnails for {}: {}", work.item().mxc(), e.toString());
        } finally {
            pregenerating.remove(itemKey(work.item()), work);
            work.sizes().values().forEach(f -> f.complete(null));
        }
    }

    private static String itemKey(MediaItem item) {
        return item.serverName() + "/" + item.mediaId();
    }

    private static String sizeKey(int width, int height, String method) {
        return width + "x" + height + "/" + method;
    }

    /** Waits (a while) for one configured size of {@code item} being made, or makes them all now when that work is still queued. */
    private void awaitPregeneration(MediaItem item, int width, int height, String method) {
        Pregeneration work = pregenerating.get(itemKey(item));
        if (work == null) return;
        if (work.started().compareAndSet(false, true)) {
            run(work);
            return;
        }
        CompletableFuture<Void> size = work.sizes().get(sizeKey(width, height, method));
        if (size == null) return;
        try {
            size.get(PREGENERATION_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            // Made on request below instead.
        }
    }

    private void generateConfigured(MediaItem item, Map<String, CompletableFuture<Void>> done) throws Exception {
        MediaStorage.Blob blob = blobOf(item);
        acquireDecoding();
        try {
            Thumbnailer.Decoded decoded = thumbnailer.decode(blob, item.contentType());
            // Largest first: each smaller size is scaled from the smallest scale thumbnail at least as large, when there is one.
            List<java.awt.image.BufferedImage> scaled = new ArrayList<>();
            List<MediaConfig.ThumbnailSize> sizes = new ArrayList<>(config.thumbnailSizes());
            sizes.sort(Comparator.comparingLong((MediaConfig.ThumbnailSize s) -> (long) s.width() * s.height()).reversed());
            for (MediaConfig.ThumbnailSize size : sizes) {
                java.awt.image.BufferedImage source = scaled.stream()
                        .filter(image -> image.getWidth() >= size.width() && image.getHeight() >= size.height())
                        .min(Comparator.comparingLong(image -> (long) image.getWidth() * image.getHeight()))
                        .orElse(decoded.image());
                Thumbnailer.Rendered rendered = thumbnailer.render(decoded, source, size.width(), size.height(), size.method());
                if (size.method().equals("scale")) scaled.add(rendered.image());
                save(item, size.width(), size.height(), size.method(), rendered);
                CompletableFuture<Void> made = done.get(sizeKey(size.width(), size.height(), size.method()));
                if (made != null) made.complete(null);
            }
        } finally {
            decoding.release();
        }
    }

    /**
     * The answer to a thumbnail request for a stored item. Outside {@code dynamic_thumbnails},
     * at most one thumbnail beyond the configured sizes is ever made per item (a still of an
     * image that may be animated): a request larger than every configured size gets the
     * original, so no caller can make this server store thumbnails without end.
     */
    Choice choose(MediaItem item, int width, int height, String method, boolean animated) {
        if (!Thumbnailer.supports(item.contentType())) {
            throw new MatrixException(ErrCode.UNKNOWN, 400, "Cannot find any thumbnails for the requested media");
        }
        MediaStorage.Blob original = blobOf(item);
        int[] size = Thumbnailer.dimensions(original);
        boolean stillNeeded = !animated && Thumbnailer.mayBeAnimated(item.contentType(), original);
        if (size != null && size[0] <= width && size[1] <= height && !stillNeeded) {
            return new Choice(item.contentType(), original);
        }
        int[] target = configuredFit(width, height, method);
        if (target == null && config.dynamicThumbnails()) {
            target = new int[] {width, height};
        } else if (target == null && !stillNeeded) {
            return new Choice(item.contentType(), original);
        } else if (target == null) {
            // One still of the whole image, at its own size (or the request's when the header is unreadable).
            method = "scale";
            target = size != null ? size : new int[] {width, height};
        }
        Thumbnail existing = stored(item, target[0], target[1], method);
        if (existing == null && isConfigured(target[0], target[1], method)) {
            awaitPregeneration(item, target[0], target[1], method);
            existing = stored(item, target[0], target[1], method);
        }
        Thumbnail thumbnail = existing != null ? existing : generate(item, original, target[0], target[1], method);
        MediaStorage.Blob blob = storage.get(thumbnail.storageKey())
                .orElseThrow(() -> new MatrixException(ErrCode.UNKNOWN, 500, "A stored thumbnail is missing"));
        return new Choice(thumbnail.contentType(), blob);
    }

    private Thumbnail stored(MediaItem item, int reqWidth, int reqHeight, String method) {
        return repository.thumbnailsOf(database.dsl(), item.serverName(), item.mediaId()).stream()
                .filter(t -> t.reqWidth() == reqWidth && t.reqHeight() == reqHeight && t.method().equals(method))
                .findFirst().orElse(null);
    }

    private boolean isConfigured(int width, int height, String method) {
        return config.thumbnailSizes().stream().anyMatch(s -> s.width() == width && s.height() == height && s.method().equals(method));
    }

    /** The smallest configured size of {@code method} at least as large as the request, or null (always null with dynamic sizes). */
    private int[] configuredFit(int width, int height, String method) {
        if (config.dynamicThumbnails()) return null;
        return config.thumbnailSizes().stream()
                .filter(s -> s.method().equals(method) && s.width() >= width && s.height() >= height)
                .min(Comparator.comparingLong(s -> (long) s.width() * s.height()))
                .map(s -> new int[] {s.width(), s.height()}).orElse(null);
    }

    private Thumbnail generate(MediaItem item, MediaStorage.Blob original, int width, int height, String method) {
        return inFlight.run(itemKey(item) + "/" + sizeKey(width, height, method), () -> render(item, original, width, height, method));
    }

    private Thumbnail render(MediaItem item, MediaStorage.Blob original, int width, int height, String method) {
        acquireDecoding();
        try {
            Thumbnailer.Decoded decoded = thumbnailer.decode(original, item.contentType());
            return save(item, width, height, method, thumbnailer.render(decoded, width, height, method));
        } catch (Thumbnailer.NotThumbnailable e) {
            // The spec's 413 for this server's media, 502 for another server's.
            if (e.tooManyPixels()) {
                throw new MatrixException(ErrCode.TOO_LARGE, item.serverName().equals(localServer) ? 413 : 502,
                        "Image too large to thumbnail: " + e.getMessage());
            }
            throw new MatrixException(ErrCode.UNKNOWN, 400, "Failed to generate thumbnail: " + e.getMessage());
        } catch (IOException e) {
            throw new MatrixException(ErrCode.UNKNOWN, 400, "Failed to generate thumbnail: " + e.getMessage());
        } finally {
            decoding.release();
        }
    }

    /** A decoding slot, waited for at most {@link #DECODE_WAIT_MS}: beyond that, 503 rather than a queue without end. */
    private void acquireDecoding() {
        try {
            if (!decoding.tryAcquire(DECODE_WAIT_MS, TimeUnit.MILLISECONDS)) {
                throw new MatrixException(ErrCode.UNKNOWN, 503, "Busy making other thumbnails; try again", Map.of(),
                        Map.of("Retry-After", "5"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MatrixException(ErrCode.UNKNOWN, 503, "Interrupted while making a thumbnail");
        }
    }

    /** Stores a rendered thumbnail; when another request stored the same one first, that one is used. */
    private Thumbnail save(MediaItem item, int reqWidth, int reqHeight, String method, Thumbnailer.Rendered rendered) throws IOException {
        MediaStorage.Stored stored = storage.store(new ByteArrayInputStream(rendered.bytes()), Long.MAX_VALUE);
        Thumbnail thumbnail = new Thumbnail(rendered.width(), rendered.height(), method, reqWidth, reqHeight,
                rendered.contentType(), stored.size(), stored.key());
        boolean inserted = database.transaction(tx -> repository.insertThumbnail(tx, item.serverName(), item.mediaId(), thumbnail,
                clock.millis()));
        if (inserted) return thumbnail;
        storage.delete(stored.key());
        Thumbnail first = stored(item, reqWidth, reqHeight, method);
        if (first == null) throw new IOException("thumbnail vanished");
        return first;
    }

    private MediaStorage.Blob blobOf(MediaItem item) {
        return storage.get(item.storageKey())
                .orElseThrow(() -> new MatrixException(ErrCode.NOT_FOUND, 404, "The media's file is missing"));
    }

    /** A stored image's width and height from its header, or null when it is not one this server reads. */
    int[] dimensionsOf(MediaItem item) {
        return storage.get(item.storageKey()).map(Thumbnailer::dimensions).orElse(null);
    }

    @Override
    public void close() throws InterruptedException {
        background.shutdownNow();
        background.awaitTermination(5, TimeUnit.SECONDS);
    }
}
