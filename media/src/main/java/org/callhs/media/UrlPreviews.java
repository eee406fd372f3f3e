package org.callhs.media;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.util.Json;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * OpenGraph previews of web pages ({@code GET /preview_url}). The page is fetched through
 * {@link UrlFetcher} (address checks, size limit), parsed with jsoup, and its {@code og:*}
 * properties returned; without them, the page's {@code <title>} and description. The preview's
 * image (or the URL itself when it is an image) is downloaded into this server's media, so the
 * client gets an {@code mxc://} URI and never fetches the third-party URL itself. Previews are
 * kept for {@code cache_ms} per URL; concurrent requests for one URL share a fetch.
 */
final class UrlPreviews implements AutoCloseable {
    private static final int MAX_PROPERTIES = 50;
    private static final int MAX_VALUE_LENGTH = 1000;
    /** OpenGraph property names as pages use them; anything else (a megabyte-long name) is skipped. */
    private static final java.util.regex.Pattern PROPERTY = java.util.regex.Pattern.compile("og:[a-z0-9_:.-]{1,64}");

    private final UrlFetcher fetcher; // null while previews are off
    private final LocalMedia local;
    private final Thumbnails thumbnails;
    private final MediaConfig.UrlPreview config;
    private final Cache<String, ObjectNode> cache;
    private final SingleFlight<ObjectNode> inFlight = new SingleFlight<>();

    UrlPreviews(UrlFetcher fetcher, LocalMedia local, Thumbnails thumbnails, MediaConfig.UrlPreview config) {
        this.fetcher = fetcher;
        this.local = local;
        this.thumbnails = thumbnails;
        this.config = config;
        // Bounded by size: each preview is at most MAX_PROPERTIES short values.
        this.cache = Caffeine.newBuilder().expireAfterWrite(Duration.ofMillis(Math.max(1, config.cacheMs()))).maximumSize(10_000).build();
    }

    boolean enabled() { return config.enabled(); }

    ObjectNode preview(String url) {
        URI uri = UrlFetcher.parse(url);
        String key = uri.normalize().toString();
        ObjectNode cached = config.cacheMs() == 0 ? null : cache.getIfPresent(key);
        if (cached != null) return cached.deepCopy();
        // Concurrent requests for one URL share a fetch, run outside any lock (it blocks on the network).
        return inFlight.run(key, () -> {
            ObjectNode built = build(uri);
            if (config.cacheMs() > 0) cache.put(key, built);
            return built;
        }).deepCopy();
    }

    private ObjectNode build(URI uri) {
        try {
            return fetcher.get(uri, (contentType, body) -> {
                String type = contentType == null ? "" : Thumbnailer.baseType(contentType);
                if (type.startsWith("image/")) return imagePreview(type, fileName(uri), body);
                if (type.equals("text/html") || type.equals("application/xhtml+xml")) {
                    byte[] page = readLimited(body);
                    return pagePreview(uri, page, charsetOf(contentType));
                }
                return Json.object(); // nothing to show for other types
            });
        } catch (IOException e) {
            throw new MatrixException(ErrCode.UNKNOWN, 502, "Failed to fetch the URL: " + e.getMessage());
        }
    }

    private ObjectNode pagePreview(URI uri, byte[] page, Charset charset) throws IOException {
        Document document = Jsoup.parse(new ByteArrayInputStream(page), charset == null ? null : charset.name(), uri.toString());
        ObjectNode og = Json.object();
        for (Element meta : document.select("meta[property^=og:], meta[name^=og:]")) {
            String property = meta.hasAttr("property") ? meta.attr("property") : meta.attr("name");
            String content = meta.attr("content");
            if (og.size() >= MAX_PROPERTIES || content.isEmpty() || og.has(property) || !PROPERTY.matcher(property).matches()) continue;
            og.put(property, clip(content));
        }
        if (!og.has("og:title")) {
            String title = document.title();
            if (!title.isBlank()) og.put("og:title", clip(title.trim()));
        }
        if (!og.has("og:description")) {
            Element description = document.selectFirst("meta[name=description]");
            if (description != null && !description.attr("content").isBlank()) og.put("og:description", clip(description.attr("content").trim()));
        }
        String image = og.path("og:image").asText("");
        if (image.isEmpty()) {
            Element twitter = document.selectFirst("meta[name=twitter:image]");
            if (twitter != null) image = twitter.attr("content");
        }
        og.remove("og:image");
        if (!image.isEmpty()) {
            try {
                URI imageUri = UrlFetcher.parse(uri.resolve(image).toString());
                ObjectNode imageFields = fetcher.get(imageUri, (type, body) -> {
                    String base = type == null ? "" : Thumbnailer.baseType(type);
                    return base.startsWith("image/") ? imagePreview(base, fileName(imageUri), body) : Json.object();
                });
                og.setAll(imageFields);
            } catch (MatrixException | IOException | IllegalArgumentException e) {
                // A page whose image cannot be fetched is still previewed, without it.
            }
        }
        return og;
    }

    /** Stores the image as this server's media: {@code og:image} (its mxc URI), type, size and dimensions. */
    private ObjectNode imagePreview(String type, String fileName, InputStream body) {
        MediaItem item = local.storeFetched(type, fileName, body, config.maxSpiderSize());
        ObjectNode og = Json.object();
        og.put("og:image", item.mxc());
        og.put("og:image:type", type);
        og.put("matrix:image:size", item.size());
        int[] size = thumbnails.dimensionsOf(item);
        if (size != null) {
            og.put("og:image:width", size[0]);
            og.put("og:image:height", size[1]);
        }
        return og;
    }

    private byte[] readLimited(InputStream body) throws IOException {
        byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, config.maxSpiderSize() + 1));
        if (bytes.length > config.maxSpiderSize()) {
            throw new MatrixException(ErrCode.TOO_LARGE, 502, "The page is larger than " + config.maxSpiderSize() + " bytes");
        }
        return bytes;
    }

    private static Charset charsetOf(String contentType) {
        if (contentType == null) return null;
        for (String part : contentType.split(";")) {
            String p = part.trim();
            if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                try {
                    return Charset.forName(p.substring(8).replace("\"", "").trim());
                } catch (IllegalArgumentException e) {
                    return StandardCharsets.UTF_8;
                }
            }
        }
        return null; // jsoup then looks at the page's own <meta charset>
    }

    private static String fileName(URI uri) {
        String path = uri.getPath();
        if (path == null || path.isEmpty() || path.endsWith("/")) return null;
        String name = path.substring(path.lastIndexOf('/') + 1);
        return name.isEmpty() || name.length() > 255 ? null : name;
    }

    private static String clip(String value) {
        return value.length() <= MAX_VALUE_LENGTH ? value : value.substring(0, MAX_VALUE_LENGTH);
    }

    @Override
    public void close() throws Exception {
        if (fetcher != null) fetcher.close();
    }
}
