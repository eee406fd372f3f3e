package org.callhs.media;

/** One row of {@code media_thumbnails}: a thumbnail made for ({@code reqWidth}, {@code reqHeight}, {@code method}). */
record Thumbnail(int width, int height, String method, int reqWidth, int reqHeight, String contentType, long size,
                 String storageKey) {}
