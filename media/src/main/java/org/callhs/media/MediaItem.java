package org.callhs.media;

/**
 * One row of {@code media}: a local upload (pending or stored) or a remote copy.
 *
 * @param uploader    the local creator, null for remote copies
 * @param contentType null until the bytes arrive
 * @param uploadName  the filename the uploader gave, or null
 * @param storageKey  null until the bytes arrive
 * @param uploadTs    null while an asynchronous upload is pending
 */
record MediaItem(String serverName, String mediaId, String uploader, String contentType, String uploadName,
                 Long size, String sha256, String storageKey, long createdTs, Long uploadTs, Long unusedExpiresTs,
                 boolean authenticated, String quarantinedBy) {
    boolean stored() { return uploadTs != null && storageKey != null; }

    boolean quarantined() { return quarantinedBy != null; }

    String mxc() { return "mxc://" + serverName + "/" + mediaId; }
}
