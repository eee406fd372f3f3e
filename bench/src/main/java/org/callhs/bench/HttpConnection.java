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

    private final LoopbackTarget target;
    private final int timeoutMillis;
    private final byte[] buffer = new byte[16 * 1024];
    private int position;
    private int limit;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private int connectionsOpened;

    public HttpConnection(LoopbackTarget target, int timeoutMillis) {
        this.target = target;
        this.timeoutMillis = timeoutMillis;
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
        byte[] request = encodeRequest(method, path, bearerToken, jsonBody);
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

    private byte[] encodeRequest(String method, String path, String bearerToken, byte[] body) {
        StringBuilder head = new StringBuilder(256)
                .append(method).append(' ').append(target.pathPrefix()).append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(target.hostHeader()).append("\r\n")
                .append("User-Agent: callhs-bench\r\n")
                .append("Accept: application/json\r\n");
        if (bearerToken != null) {
            head.append("Authorization: Bearer ").append(bearerToken).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Type: application/json\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n");
        } else if (!method.equals("GET") && !method.equals("HEAD")) {
            head.append("Content-Length: 0\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null || body.length == 0) {
            return headBytes;
        }
        byte[] request = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(body, 0, request, headBytes.length, body.length);
        return request;
    }

    private HttpResult readResponse(String method) throws IOException {
        while (true) {
            String statusLine = readLine(true);
            if (statusLine == null) {
                throw new StaleConnectionException();
            }
            int status = parseStatus(statusLine);
            boolean http10 = statusLine.startsWith("HTTP/1.0");
            long contentLength = -1;
            boolean chunked = false;
            boolean closeAfter = http10;
            String line;
            while (!(line = requireLine()).isEmpty()) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> contentLength = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> {
                        String v = value.toLowerCase(Locale.ROOT);
                        if (v.contains("close")) {
                            closeAfter = true;
                        } else if (v.contains("keep-alive")) {
                            closeAfter = false;
                        }
                    }
                    default -> { }
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

    private static int parseStatus(String statusLine) throws IOException {
        // "HTTP/1.1 200 OK"
        int space = statusLine.indexOf(' ');
        if (!statusLine.startsWith("HTTP/") || space < 0 || statusLine.length() < space + 4) {
            throw new IOException("malformed status line: " + statusLine);
        }
        try {
            return Integer.parseInt(statusLine.substring(space + 1, space + 4));
        } catch (NumberFormatException e) {
            throw new IOException("malformed status line: " + statusLine, e);
        }
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

    private String requireLine() throws IOException {
        String line = readLine(false);
        if (line == null) {
            throw new EOFException("connection closed in the middle of a response");
        }
        return line;
    }

    /**
     * Reads one CRLF- (or LF-) terminated line. Returns null on end of stream before any
     * byte; {@code firstOfResponse} turns a reset there into a stale-connection signal.
     */
    private String readLine(boolean firstOfResponse) throws IOException {
        StringBuilder line = null;
        while (true) {
            if (position == limit) {
                boolean more;
                try {
                    more = fill();
                } catch (IOException e) {
                    if (firstOfResponse && line == null && !(e instanceof java.net.SocketTimeoutException)) {
                        throw new StaleConnectionException();
                    }
                    throw e;
                }
                if (!more) {
                    if (line == null) {
                        return null;
                    }
                    throw new EOFException("connection closed in the middle of a header line");
                }
            }
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            if (line == null) {
                line = new StringBuilder(64);
            }
            line.append(new String(buffer, start, position - start, StandardCharsets.ISO_8859_1));
            if (position < limit) {
                position++; // the '\n'
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
        }
    }

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
