package org.callhs.media;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The {@code media} configuration section.
 *
 * @param storagePath             where the bytes go; empty means {@code <data_dir>/media}
 * @param maxUploadSize           largest upload, and largest remote file fetched, in bytes (413 {@code M_TOO_LARGE} beyond)
 * @param maxImagePixels          images with more pixels are stored but never decoded for thumbnails (decompression bombs)
 * @param thumbnailSizes          thumbnails made for every image on upload; requests are answered from the best fit
 * @param dynamicThumbnails       true: a request with no fitting configured size gets a thumbnail of exactly its size
 *                                (cached); false: the nearest configured size that is at least as large
 * @param maxPendingUploads       unused IDs from {@code /create} one user may hold at once (429 beyond)
 * @param unusedExpirationMs      how long an ID from {@code /create} waits for its upload
 * @param uploadRateLimit         uploads per user
 * @param createRateLimit         {@code /create} per user
 * @param maxStoredBytesPerUser   quota: bytes of local media one user may have stored; 0 means no quota
 * @param remoteCacheMaxSize      bytes of other servers' media kept here; the least recently served go first
 * @param remoteTimeoutMs         longest wait for another server's media
 * @param enableAuthenticatedMedia true (the default, as Synapse): new media is served only through the
 *                                authenticated endpoints; false: also on the legacy unauthenticated ones
 * @param legacyMediaBefore       media created before this date (ISO date or instant; empty: none) is also served on
 *                                the legacy unauthenticated endpoints, like Synapse's media from before its freeze
 * @param thumbnailThreads        threads that make thumbnails after uploads
 * @param urlPreview              {@code /preview_url}: off unless enabled, and never to non-public addresses
 */
public record MediaConfig(String storagePath, long maxUploadSize, long maxImagePixels, List<ThumbnailSize> thumbnailSizes,
                          boolean dynamicThumbnails, int maxPendingUploads, long unusedExpirationMs,
                          RateLimit uploadRateLimit, RateLimit createRateLimit, long maxStoredBytesPerUser,
                          long remoteCacheMaxSize, long remoteTimeoutMs, boolean enableAuthenticatedMedia,
                          String legacyMediaBefore, int thumbnailThreads, UrlPreview urlPreview) {
    public static final String SECTION = "media";

    public record RateLimit(double perSecond, int burst) {}

    /**
     * URL previews.
     *
     * @param enabled          off by default: when on, this server fetches URLs its users name
     * @param ipRangeDenylist  addresses previews never connect to (every non-public range by default)
     * @param ipRangeAllowlist exceptions to the denylist
     * @param maxSpiderSize    largest page or image fetched for a preview, in bytes (10 MiB, Synapse's)
     * @param timeoutMs        longest wait for one fetch
     * @param cacheMs          how long a preview is reused for the same URL
     * @param rateLimit        previews per user
     * @param mediaRetentionMs how long images fetched for previews are kept (then deleted, files and thumbnails)
     */
    public record UrlPreview(boolean enabled, List<String> ipRangeDenylist, List<String> ipRangeAllowlist, long maxSpiderSize,
                             long timeoutMs, long cacheMs, RateLimit rateLimit, long mediaRetentionMs) {}

    /** A thumbnail size: {@code method} is {@code crop} or {@code scale}. */
    public record ThumbnailSize(int width, int height, String method) {}

    public static MediaConfig defaults() {
        // Synapse's defaults: 50 MiB uploads, 32 megapixels, five thumbnail sizes, 5 pending IDs for 24 h.
        return new MediaConfig("", 50L * 1024 * 1024, 32_000_000L, List.of(
                new ThumbnailSize(32, 32, "crop"), new ThumbnailSize(96, 96, "crop"),
                new ThumbnailSize(320, 240, "scale"), new ThumbnailSize(640, 480, "scale"),
                new ThumbnailSize(800, 600, "scale")),
                false, 5, 24L * 60 * 60 * 1000, new RateLimit(5, 30), new RateLimit(10, 50), 0,
                1024L * 1024 * 1024, 20_000, true, "", 2,
                new UrlPreview(false, org.callhs.core.util.IpRanges.DEFAULT_DENYLIST, List.of(), 10L * 1024 * 1024, 10_000,
                        3_600_000, new RateLimit(2, 20), 2L * 24 * 3_600_000));
    }

    /** The legacy cut-off as ms since the epoch (0 when none is set). */
    public long legacyMediaBeforeMillis() {
        if (legacyMediaBefore == null || legacyMediaBefore.isBlank()) return 0;
        String value = legacyMediaBefore.trim();
        try {
            return value.length() <= 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli()
                    : Instant.parse(value).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(SECTION + ".legacy_media_before must be an ISO date (2026-01-31) or instant"
                    + " (2026-01-31T12:00:00Z), got '" + value + "'");
        }
    }

    /** Start-up check: every value in range, or an exception naming the key. */
    public void validate() {
        require(maxUploadSize > 0, "max_upload_size must be more than 0");
        require(maxImagePixels > 0, "max_image_pixels must be more than 0");
        require(thumbnailSizes != null, "thumbnail_sizes must be a list");
        for (ThumbnailSize size : thumbnailSizes) {
            require(size.width() > 0 && size.height() > 0 && size.width() <= 4096 && size.height() <= 4096,
                    "thumbnail_sizes entries need width and height between 1 and 4096");
            require("crop".equals(size.method()) || "scale".equals(size.method()), "thumbnail_sizes method must be crop or scale");
        }
        require(maxPendingUploads >= 1, "max_pending_uploads must be 1 or more");
        require(unusedExpirationMs >= 1000, "unused_expiration_ms must be at least 1000");
        require(uploadRateLimit != null && uploadRateLimit.perSecond() > 0 && uploadRateLimit.burst() >= 1,
                "upload_rate_limit needs per_second above 0 and burst of 1 or more");
        require(createRateLimit != null && createRateLimit.perSecond() > 0 && createRateLimit.burst() >= 1,
                "create_rate_limit needs per_second above 0 and burst of 1 or more");
        require(maxStoredBytesPerUser >= 0, "max_stored_bytes_per_user must be 0 or more");
        require(remoteCacheMaxSize >= 0, "remote_cache_max_size must be 0 or more");
        require(remoteTimeoutMs >= 1000, "remote_timeout_ms must be at least 1000");
        require(thumbnailThreads >= 1 && thumbnailThreads <= 64, "thumbnail_threads must be between 1 and 64");
        legacyMediaBeforeMillis();
        require(urlPreview != null && urlPreview.ipRangeDenylist() != null && urlPreview.ipRangeAllowlist() != null,
                "url_preview needs ip_range_denylist and ip_range_allowlist lists");
        new org.callhs.core.util.IpRanges(urlPreview.ipRangeDenylist(), urlPreview.ipRangeAllowlist(), SECTION + ".url_preview");
        require(urlPreview.maxSpiderSize() > 0, "url_preview.max_spider_size must be more than 0");
        require(urlPreview.timeoutMs() >= 100, "url_preview.timeout_ms must be at least 100");
        require(urlPreview.cacheMs() >= 0, "url_preview.cache_ms must be 0 or more");
        require(urlPreview.mediaRetentionMs() >= urlPreview.cacheMs(), "url_preview.media_retention_ms must be at least cache_ms");
        require(urlPreview.rateLimit() != null && urlPreview.rateLimit().perSecond() > 0 && urlPreview.rateLimit().burst() >= 1,
                "url_preview.rate_limit needs per_second above 0 and burst of 1 or more");
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(SECTION + "." + message);
    }
}
