-- The content repository: one row per media item, local (uploaded here) or remote (a copy of
-- another server's media, cached for this server's clients). The bytes live in the media
-- storage (files under the data dir) under storage_key; this table is what decides whether
-- they are served: a blob without a row, or with a row whose upload_ts is NULL, never is.
CREATE TABLE media (
    server_name       VARCHAR NOT NULL, -- the server in the mxc:// URI (this server for local media)
    media_id          VARCHAR NOT NULL, -- the media ID in the mxc:// URI
    uploader          VARCHAR,          -- local media: the user who created it; NULL for remote copies
    content_type      VARCHAR,          -- the Content-Type it is served with; NULL until the bytes arrive
    upload_name       VARCHAR,          -- the filename the uploader gave, if any
    size_bytes        BIGINT,           -- length of the stored bytes; NULL until they arrive
    sha256            VARCHAR,          -- hex SHA-256 of the stored bytes; NULL until they arrive
    storage_key       VARCHAR,          -- where the bytes are in the media storage; NULL until they arrive
    created_ts        BIGINT  NOT NULL, -- when the ID was handed out (ms since the epoch)
    upload_ts         BIGINT,           -- when the bytes were stored; NULL while an asynchronous upload is pending
    unused_expires_ts BIGINT,           -- pending uploads only: the ID is dropped if nothing arrives by then
    authenticated     BOOLEAN NOT NULL, -- true: served only through authenticated media; false: also on the legacy paths
    quarantined_by    VARCHAR,          -- the admin who quarantined it (then never served); NULL otherwise
    last_access_ts    BIGINT,           -- last time it was served (remote copies are evicted least recently used first)
    PRIMARY KEY (server_name, media_id)
);
-- Pending uploads per user (the spec's limit on unused media IDs) and a user's stored bytes (the quota).
CREATE INDEX media_uploader ON media (uploader, upload_ts);
-- Expiry of unused media IDs.
CREATE INDEX media_unused_expiry ON media (unused_expires_ts);
-- Eviction of remote copies, least recently served first.
CREATE INDEX media_last_access ON media (last_access_ts);

-- Thumbnails of stored media, made on upload (the configured sizes) or when first asked for.
CREATE TABLE media_thumbnails (
    server_name  VARCHAR NOT NULL, -- the media item's server
    media_id     VARCHAR NOT NULL, -- the media item's ID
    width        INTEGER NOT NULL, -- the thumbnail's actual width in pixels
    height       INTEGER NOT NULL, -- the thumbnail's actual height in pixels
    method       VARCHAR NOT NULL, -- crop | scale, as asked for
    req_width    INTEGER NOT NULL, -- the width it was made for (the configured or requested size)
    req_height   INTEGER NOT NULL, -- the height it was made for
    content_type VARCHAR NOT NULL, -- image/jpeg or image/png
    size_bytes   BIGINT  NOT NULL, -- length of the encoded thumbnail
    storage_key  VARCHAR NOT NULL, -- where its bytes are in the media storage
    created_ts   BIGINT  NOT NULL, -- when it was made
    PRIMARY KEY (server_name, media_id, req_width, req_height, method)
);
