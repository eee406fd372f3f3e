package org.callhs.core.http;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A response body that is not JSON (media bytes, a multipart answer), written straight to the
 * connection so that large files are never held in memory.
 */
public interface RawBody extends AutoCloseable {
    /** The {@code Content-Type} header. */
    String contentType();

    /** The body's length in bytes, or -1 when it is not known before writing (then sent chunked). */
    long length();

    /** Writes the whole body; the stream is closed by the caller. */
    void writeTo(OutputStream out) throws IOException;

    /** Releases what the body holds (an open file); called once it is written, or instead of writing it (HEAD). */
    @Override
    default void close() throws IOException {}
}
