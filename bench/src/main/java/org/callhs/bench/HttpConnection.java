package org.callhs.bench;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * A minimal blocking HTTP/1.1 client over ONE keep-alive TCP connection, meant to be owned
 * by a single virtual user (one thread), so it has no locking at all.
 *
 * <p>Why not {@code java.net.http.HttpClient}: on a small machine the generator shares the
 * cores with the server it measures, and the JDK client (HTTP/1.1, virtual-thread
 * executor, 16 concurrent loops) spent about 54 µs of CPU per request against a trivial
 * server, versus about 10 µs for this class on platform threads (about 20 k vs 95 k
 * requests/s on two cores; numbers from bench/README.md). This
 * client writes each request in one {@code write}, reads the response through its own
 * buffer, understands {@code Content-Length}, {@code chunked} and read-to-close bodies,
 * and reconnects transparently when the server closes the connection.
 *
 * <p>A request that fails on a <em>reused</em> connection before any byte of the answer
 * came back (the server closed an idle keep-alive connection) is retried once on a fresh
 * connection, as browsers and most HTTP clients do.
 */
public final class HttpConnection implements Closeable {

    private static final byte[] HTTP_1_0 = "HTTP/1.0".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] CONTENT_LENGTH = "content-length".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] CONNECTION = "connection".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] HTTP_PREFIX = "HTTP/".getBytes(StandardCharsets.ISO_8859_1);

    private final LoopbackTarget target;
    private final int timeoutMillis;
    private final byte[] buffer = new byte[16 * 1024];
    private int position;
    private int limit;
    /** Volatile, like {@link #aborted}, so that {@link #abort()} from another thread sees it. */
    private volatile Socket socket;
    private volatile boolean aborted;
    private InputStream in;
    private OutputStream out;
    private int connectionsOpened;
    private final String hostHeader;
    private String lastMethod;
    private String lastPath;
    private String lastToken;
    private byte[] lastRequest;

    public HttpConnection(LoopbackTarget target, int timeoutMillis) {
        this.target = target;
        this.timeoutMillis = timeoutMillis;
        this.hostHeader = target.hostHeader();
    }

    /** How many TCP connections this client has opened so far (1 if keep-alive works). */
    public int connectionsOpened() {
        return connectionsOpened;
    }

    /**
     * Sends one request and reads its response.
     *
     * @param path        the path below the base URL, starting with "/" (already URL-encoded)
     * @param bearerToken access token for the Authorization header, or null
     * @param jsonBody    request body (sent as application/json), or null for none
     */
    public HttpResult exchange(String method, String path, String bearerToken, byte[] jsonBody) throws IOException {
        return exchange(method, path, bearerToken, jsonBody, "application/json");
    }

    /** The same with a body of another type (media uploads). */
    public HttpResult exchange(String method, String path, String bearerToken, byte[] body, String contentType) throws IOException {
        byte[] request = encodeRequest(method, path, bearerToken, body, contentType);
        boolean reused = socket != null;
        if (!reused) {
            open();
        }
        try {
            return sendAndReceive(request, method);
        } catch (StaleConnectionException stale) {
            close();
            if (!reused) {
                throw new EOFException("connection closed by the server before any response");
            }
            open();
            try {
                return sendAndReceive(request, method);
            } catch (StaleConnectionException again) {
                close();
                throw new EOFException("connection closed by the server before any response");
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private HttpResult sendAndReceive(byte[] request, String method) throws IOException {
        try {
            out.write(request);
            out.flush();
        } catch (IOException e) {
            throw new StaleConnectionException();
        }
        return readResponse(method);
    }

    /**
     * The request bytes. A body-less request identical to the previous one (the whoami
     * loop) reuses the previous bytes instead of encoding them again.
     */
    private byte[] encodeRequest(String method, String path, String bearerToken, byte[] body, String contentType) {
        if (body == null && lastRequest != null && method.equals(lastMethod) && path.equals(lastPath)
                && Objects.equals(bearerToken, lastToken)) {
            return lastRequest;
        }
        StringBuilder head = new StringBuilder(256)
                .append(method).append(' ').append(target.pathPrefix()).append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(hostHeader).append("\r\n")
                .append("User-Agent: callhs-bench\r\n")
                .append("Accept: application/json\r\n");
        if (bearerToken != null) {
            head.append("Authorization: Bearer ").append(bearerToken).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n");
        } else if (!method.equals("GET") && !method.equals("HEAD")) {
            head.append("Content-Length: 0\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null) {
            lastMethod = method;
            lastPath = path;
            lastToken = bearerToken;
            lastRequest = headBytes;
            return headBytes;
        }
        byte[] request = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(body, 0, request, headBytes.length, body.length);
        return request;
    }

    /**
     * Reads one response, parsing the status line and headers in place in the buffer (no
     * String per header line: only the three headers that matter are looked at).
     */
    private HttpResult readResponse(String method) throws IOException {
        while (true) {
            int lineEnd = bufferLine(true);
            if (lineEnd < 0) {
                throw new StaleConnectionException();
            }
            int status = parseStatus(position, contentEnd(lineEnd));
            boolean closeAfter = startsWith(position, lineEnd, HTTP_1_0);
            position = lineEnd + 1;
            long contentLength = -1;
            boolean chunked = false;
            while (true) {
                lineEnd = bufferLine(false);
                int end = contentEnd(lineEnd);
                int start = position;
                position = lineEnd + 1;
                if (end == start) {
                    break; // blank line: end of the headers
                }
                if (headerIs(start, end, CONTENT_LENGTH)) {
                    contentLength = parseLong(start + CONTENT_LENGTH.length + 1, end);
                } else if (headerIs(start, end, TRANSFER_ENCODING)) {
                    chunked = headerValue(start, end, TRANSFER_ENCODING).contains("chunked");
                } else if (headerIs(start, end, CONNECTION)) {
                    String value = headerValue(start, end, CONNECTION);
                    if (value.contains("close")) {
                        closeAfter = true;
                    } else if (value.contains("keep-alive")) {
                        closeAfter = false;
                    }
                }
            }
            if (status >= 100 && status < 200 && status != 101) {
                continue; // interim response (100 Continue, 103 Early Hints): the real one follows
            }
            byte[] body;
            if (method.equals("HEAD") || status == 204 || status == 304) {
                body = new byte[0];
            } else if (chunked) {
                body = readChunkedBody();
            } else if (contentLength >= 0) {
                body = readExactly((int) contentLength);
            } else {
                body = readToEnd();
                closeAfter = true;
            }
            if (closeAfter) {
                close();
            }
            return new HttpResult(status, body);
        }
    }

    /** "HTTP/1.1 200 OK": the three digits after the first space. */
    private int parseStatus(int start, int end) throws IOException {
        int space = start;
        while (space < end && buffer[space] != ' ') {
            space++;
        }
        if (!startsWith(start, end, HTTP_PREFIX) || space + 4 > end) {
            throw new IOException("malformed status line: " + new String(buffer, start, end - start, StandardCharsets.ISO_8859_1));
        }
        int status = 0;
        for (int i = space + 1; i < space + 4; i++) {
            int digit = buffer[i] - '0';
            if (digit < 0 || digit > 9) {
                throw new IOException("malformed status line: " + new String(buffer, start, end - start, StandardCharsets.ISO_8859_1));
            }
            status = status * 10 + digit;
        }
        return status;
    }

    private boolean startsWith(int start, int end, byte[] prefix) {
        if (end - start < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (buffer[start + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the header line [start, end) is "{lowerCaseName}:" in any letter case. */
    private boolean headerIs(int start, int end, byte[] lowerCaseName) {
        if (end - start <= lowerCaseName.length || buffer[start + lowerCaseName.length] != ':') {
            return false;
        }
        for (int i = 0; i < lowerCaseName.length; i++) {
            byte b = buffer[start + i];
            if (b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != lowerCaseName[i]) {
                return false;
            }
        }
        return true;
    }

    private String headerValue(int start, int end, byte[] name) {
        int from = start + name.length + 1;
        return new String(buffer, from, end - from, StandardCharsets.ISO_8859_1).trim().toLowerCase(Locale.ROOT);
    }

    private long parseLong(int start, int end) throws IOException {
        long value = 0;
        boolean digits = false;
        for (int i = start; i < end; i++) {
            byte b = buffer[i];
            if (b >= '0' && b <= '9') {
                value = value * 10 + (b - '0');
                digits = true;
            } else if (b != ' ' && b != '\t') {
                throw new IOException("malformed Content-Length");
            }
        }
        if (!digits) {
            throw new IOException("malformed Content-Length");
        }
        return value;
    }

    /** End of the line's content ending at {@code lineEnd} (the '\n'), without a trailing '\r'. */
    private int contentEnd(int lineEnd) {
        return lineEnd > position && buffer[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
    }

    /**
     * Makes sure a whole line starting at {@code position} is in the buffer (compacting and
     * reading more as needed) and returns the index of its '\n'. Returns -1 at end of
     * stream before any byte when {@code firstOfResponse}; a reset at that point also means
     * a stale connection.
     */
    private int bufferLine(boolean firstOfResponse) throws IOException {
        int scan = position;
        while (true) {
            for (int i = scan; i < limit; i++) {
                if (buffer[i] == '\n') {
                    return i;
                }
            }
            if (position > 0) { // compact: move the partial line to the front
                System.arraycopy(buffer, position, buffer, 0, limit - position);
                limit -= position;
                position = 0;
            }
            if (limit == buffer.length) {
                throw new IOException("response header line longer than " + buffer.length + " bytes");
            }
            scan = limit;
            int n;
            try {
                n = in.read(buffer, limit, buffer.length - limit);
            } catch (IOException e) {
                if (firstOfResponse && limit == 0 && !(e instanceof java.net.SocketTimeoutException)) {
                    throw new StaleConnectionException();
                }
                throw e;
            }
            if (n <= 0) {
                if (firstOfResponse && limit == 0) {
                    return -1;
                }
                throw new EOFException("connection closed in the middle of the response headers");
            }
            limit += n;
        }
    }

    private String requireLine() throws IOException {
        int lineEnd = bufferLine(false);
        String line = new String(buffer, position, contentEnd(lineEnd) - position, StandardCharsets.ISO_8859_1);
        position = lineEnd + 1;
        return line;
    }

    private byte[] readChunkedBody() throws IOException {
        ByteSink sink = new ByteSink();
        while (true) {
            String sizeLine = requireLine();
            int semicolon = sizeLine.indexOf(';');
            String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim();
            int size = Integer.parseInt(hex, 16);
            if (size == 0) {
                while (!requireLine().isEmpty()) {
                    // trailers: ignored
                }
                return sink.toByteArray();
            }
            sink.write(readExactly(size));
            requireLine(); // CRLF after the chunk data
        }
    }

    private byte[] readExactly(int length) throws IOException {
        byte[] data = new byte[length];
        int copied = 0;
        while (copied < length) {
            if (position == limit && !fill()) {
                throw new EOFException("connection closed after " + copied + " of " + length + " body bytes");
            }
            int n = Math.min(length - copied, limit - position);
            System.arraycopy(buffer, position, data, copied, n);
            position += n;
            copied += n;
        }
        return data;
    }

    private byte[] readToEnd() throws IOException {
        ByteSink sink = new ByteSink();
        while (position < limit || fill()) {
            sink.write(buffer, position, limit - position);
            position = limit;
        }
        return sink.toByteArray();
    }

    /** Refills the (fully consumed) buffer; false at end of stream. */
    private boolean fill() throws IOException {
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }

    private void open() throws IOException {
        if (aborted) {
            throw new IOException("connection aborted");
        }
        connect();
        if (aborted) { // abort() ran while the socket was being opened and may not have seen it
            close();
            throw new IOException("connection aborted");
        }
    }

    private void connect() throws IOException {
        IOException last = null;
        for (InetAddress address : target.addresses()) {
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.setKeepAlive(true);
                s.connect(new InetSocketAddress(address, target.port()), timeoutMillis);
                s.setSoTimeout(timeoutMillis);
                socket = s;
                in = s.getInputStream();
                out = s.getOutputStream();
                position = 0;
                limit = 0;
                connectionsOpened++;
                return;
            } catch (IOException e) {
                s.close();
                last = e;
            }
        }
        throw last != null ? last : new IOException("no address for " + target.host());
    }

    /**
     * Ends this connection for good from <em>another</em> thread: closes the socket, so that a
     * read blocked in {@link #exchange} (a long-poll) fails at once with an IOException, and
     * makes every later {@link #exchange} fail instead of reconnecting.
     */
    public void abort() {
        aborted = true;
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        socket = null;
        in = null;
        out = null;
        position = 0;
        limit = 0;
    }

    /** Thrown when a reused connection turns out to be closed before the response began. */
    private static final class StaleConnectionException extends IOException {
        StaleConnectionException() {
            super("stale keep-alive connection", null);
        }
    }

    /** A growable byte array (ByteArrayOutputStream without the synchronisation). */
    private static final class ByteSink {
        private byte[] bytes = new byte[256];
        private int size;

        void write(byte[] data) {
            write(data, 0, data.length);
        }

        void write(byte[] data, int offset, int length) {
            if (size + length > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + length));
            }
            System.arraycopy(data, offset, bytes, size, length);
            size += length;
        }

        byte[] toByteArray() {
            return java.util.Arrays.copyOf(bytes, size);
        }
    }
}
