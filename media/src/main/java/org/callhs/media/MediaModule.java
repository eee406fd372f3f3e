package org.callhs.media;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.callhs.core.spi.ConfigSection;
import org.callhs.core.spi.HomeserverModule;
import org.callhs.core.spi.Migrations;
import org.callhs.core.spi.ModuleContext;
import org.callhs.core.storage.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The content repository: uploads (also asynchronous), downloads, thumbnails, other servers'
 * media over federation, and its admin API. Owns the {@code media} configuration section and
 * the {@code media} and {@code media_thumbnails} tables (its own Flyway history); the bytes go
 * to a {@link MediaStorage}, files under the data dir by default.
 */
public final class MediaModule implements HomeserverModule {
    private static final Logger log = LoggerFactory.getLogger(MediaModule.class);
    public static final ConfigSection<MediaConfig> CONFIG =
            new ConfigSection<>(MediaConfig.SECTION, MediaConfig.class, MediaConfig.defaults());

    @Override
    public String name() { return "media"; }

    @Override
    public List<ConfigSection<?>> configSections() { return List.of(CONFIG); }

    @Override
    public List<Migrations> migrations() { return List.of(new Migrations("media", "classpath:db/migration/media")); }

    @Override
    public void install(ModuleContext context) throws Exception {
        MediaConfig config = context.config(CONFIG);
        config.validate();
        String serverName = context.coreConfig().serverName();
        Database database = context.database();
        Clock clock = context.clock();
        Path root = config.storagePath().isBlank() ? context.coreConfig().dataPath().resolve("media") : Path.of(config.storagePath());
        var cluster = context.coreConfig().cluster();
        MediaStorage storage = new LocalFileStorage(root, cluster.enabled() ? cluster.effectiveInstanceName() : "main");
        MediaRepository repository = new MediaRepository();
        context.rateLimits().define(UploadEndpoints.UPLOAD_LIMIT, config.uploadRateLimit().perSecond(), config.uploadRateLimit().burst());
        context.rateLimits().define(UploadEndpoints.CREATE_LIMIT, config.createRateLimit().perSecond(), config.createRateLimit().burst());

        Thumbnails thumbnails = new Thumbnails(serverName, database, repository, storage, new Thumbnailer(config.maxImagePixels()), config, clock);
        LocalMedia local = new LocalMedia(serverName, database, repository, storage,
                MediaQuota.byStoredBytes(repository, config.maxStoredBytesPerUser()), config, clock, thumbnails::pregenerate);
        MediaRemover remover = new MediaRemover(database, repository, storage);
        RemoteMediaCache remote = new RemoteMediaCache(serverName, database, repository, storage, remover, context::remoteServers,
                config, clock);
        MediaLookup lookup = new MediaLookup(local, remote, database, repository, clock);
        MediaResponses responses = new MediaResponses(storage);

        context.addRoutes(new UploadEndpoints(local));
        MediaConfig.UrlPreview preview = config.urlPreview();
        context.rateLimits().define(DownloadEndpoints.PREVIEW_LIMIT, preview.rateLimit().perSecond(), preview.rateLimit().burst());
        UrlPreviews previews = new UrlPreviews(preview.enabled() ? new UrlFetcher(preview) : null, local, thumbnails, preview);
        context.addRoutes(new DownloadEndpoints(lookup, thumbnails, responses, config, previews));
        context.addRoutes(new MediaAdminEndpoints(new MediaAdmin(serverName, database, repository, remover)));
        context.addFederationRoutes(new FederationMediaEndpoints(serverName, lookup, thumbnails, responses));
        context.clusterJobs().every("media-unused-expiry", 60_000, () -> {
            int dropped = local.expireUnused();
            if (dropped > 0) log.debug("dropped {} media IDs never uploaded to", dropped);
        });
        // Images fetched for URL previews are a cache, not a user's files: they go after media_retention_ms.
        context.clusterJobs().every("media-preview-expiry", 3_600_000, () -> {
            long cutoff = clock.millis() - preview.mediaRetentionMs();
            List<MediaItem> old;
            while (!(old = repository.fetchedBefore(database.dsl(), serverName, cutoff, 100)).isEmpty()) old.forEach(remover::remove);
        });
        context.onStop(thumbnails);
        context.onStop(previews);
    }
}
