package org.callhs.core.http;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A response body that is not JSON (media bytes, a multipart answer), written straight to the
 * connection so that large files are never held in memory.
 */
public interface RawBody {
    /** The {@code Content-Type} header. */
    String contentType();

    /** The body's length in bytes, or -1 when it is not known before writing (then sent chunked). */
    long length();

    /** Writes the whole body; the stream is closed by the caller. */
    void writeTo(OutputStream out) throws IOException;
}
