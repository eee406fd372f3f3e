package org.callhs.media;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Media on the local disk: {@code <root>/blobs/ab/cd/<key>} for each blob, where the key is 32
 * random hex digits. An upload is written to {@code <root>/tmp}, flushed to disk, and only then
 * renamed into place (an atomic rename within one file system), so a reader never sees part
 * of a file, and a {@code kill -9} mid-upload leaves only a temporary file, removed at the
 * next start.
 */
public final class LocalFileStorage implements MediaStorage {
    private static final Logger log = LoggerFactory.getLogger(LocalFileStorage.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int BUFFER = 256 * 1024;
    /** A temporary file this old belongs to an upload no process is writing any more. */
    static final long STALE_PART_MS = 3_600_000;

    private final Path blobs;
    private final Path tmp;

    /**
     * @param instance this process's name: its temporary files go to {@code tmp/<instance>},
     *                 so instances sharing the directory never remove each other's uploads
     */
    public LocalFileStorage(Path root, String instance) throws IOException {
        this.blobs = root.resolve("blobs");
        Path allTmp = root.resolve("tmp");
        this.tmp = allTmp.resolve(instance.replaceAll("[^A-Za-z0-9_.-]", "_"));
        Files.createDirectories(blobs);
        Files.createDirectories(tmp);
        clearTemporaryFiles(allTmp);
    }

    /**
     * Uploads cut short by a crash: never referenced, never served. This instance's go at once;
     * other instances' only once untouched for an hour, since they may be writing them right now.
     */
    private void clearTemporaryFiles(Path allTmp) throws IOException {
        long staleBefore = System.currentTimeMillis() - STALE_PART_MS;
        try (Stream<Path> files = Files.walk(allTmp)) {
            files.filter(Files::isRegularFile).forEach(file -> {
                try {
                    if (file.getParent().equals(tmp) || Files.getLastModifiedTime(file).toMillis() < staleBefore) Files.deleteIfExists(file);
                } catch (IOException e) {
                    log.warn("could not remove the unfinished upload {}: {}", file, e.toString());
                }
            });
        }
    }

    @Override
    public Stored store(InputStream in, long maxBytes) throws IOException {
        String key = newKey();
        Path part = tmp.resolve(key + ".part");
        MessageDigest sha256 = sha256();
        long size = 0;
        boolean done = false;
        try {
            try (FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
                byte[] buffer = new byte[BUFFER];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    size += n;
                    if (size > maxBytes) throw new TooLarge(maxBytes);
                    sha256.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
                out.flush();
                channel.force(true);
            }
            Path target = pathOf(key);
            Files.createDirectories(target.getParent());
            try {
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("media storage needs tmp and blobs on one file system", e);
            }
            syncDirectory(target.getParent());
            done = true;
            return new Stored(key, size, HexFormat.of().formatHex(sha256.digest()));
        } finally {
            if (!done) Files.deleteIfExists(part);
        }
    }

    @Override
    public Optional<Blob> get(String key) {
        Path path = pathOf(key);
        long length;
        try {
            length = Files.size(path);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return Optional.of(new Blob() {
            @Override
            public long length() { return length; }

            @Override
            public InputStream open() throws IOException { return Files.newInputStream(path); }
        });
    }

    @Override
    public void delete(String key) {
        try {
            Files.deleteIfExists(pathOf(key));
        } catch (IOException e) {
            log.warn("could not delete media blob {}: {}", key, e.toString());
        }
    }

    private Path pathOf(String key) {
        if (!key.matches("[0-9a-f]{32}")) throw new IllegalArgumentException("not a storage key: " + key);
        return blobs.resolve(key.substring(0, 2)).resolve(key.substring(2, 4)).resolve(key);
    }

    private static String newKey() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems cannot sync a directory; the rename itself is still atomic.
            log.debug("could not sync {}: {}", dir, e.toString());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
