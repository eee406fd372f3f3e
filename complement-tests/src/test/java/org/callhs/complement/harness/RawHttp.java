package org.callhs.complement.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for what {@link java.net.http.HttpClient} cannot do: send a huge
 * body while reading a response the server may send before the body is complete (413 early).
 */
public final class RawHttp {

    /** Status line, headers (lower-cased names) and body of a response. */
    public record Response(int status, Map<String, String> headers, String body) {}

    private RawHttp() {}

    /**
     * Sends {@code method path} with a body of {@code bodyLength} bytes of {@code fill} (declared in
     * Content-Length), writing it from another thread and ignoring write errors, since the server
     * may answer and close early. Reads the response with {@code Connection: close} semantics.
     */
    public static Response sendLargeBody(URI baseUrl, String method, String path, String accessToken,
                                         long bodyLength, byte fill) {
        try (Socket socket = new Socket(baseUrl.getHost(), baseUrl.getPort())) {
            socket.setSoTimeout((int) HttpClients.REQUEST_TIMEOUT.toMillis());
            StringBuilder head = new StringBuilder()
                    .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(baseUrl.getHost()).append(':').append(baseUrl.getPort()).append("\r\n")
                    .append("Content-Type: application/json\r\n")
                    .append("Content-Length: ").append(bodyLength).append("\r\n")
                    .append("Connection: close\r\n");
            if (accessToken != null) head.append("Authorization: Bearer ").append(accessToken).append("\r\n");
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.ofVirtual().start(() -> {
                byte[] chunk = new byte[64 * 1024];
                Arrays.fill(chunk, fill);
                chunk[0] = '"';
                long left = bodyLength;
                try {
                    boolean first = true;
                    while (left > 0) {
                        int n = (int) Math.min(chunk.length, left);
                        out.write(chunk, 0, n);
                        if (first) { chunk[0] = fill; first = false; }
                        left -= n;
                    }
                    out.flush();
                } catch (IOException expected) {
                    // the server answered early and closed the connection
                }
            });
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("raw " + method + " " + path + " failed: " + e, e);
        }
    }

    private static Response read(InputStream in) throws IOException {
        ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
        while (!endsWithBlankLine(headBytes.toByteArray())) {
            int b = in.read();
            if (b < 0) throw new IOException("connection closed before the response headers ended: " + headBytes);
            headBytes.write(b);
        }
        String[] lines = headBytes.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        byte[] body;
        String length = headers.get("content-length");
        if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = readChunked(in);
        } else {
            body = in.readAllBytes();
        }
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static boolean endsWithBlankLine(byte[] b) {
        int n = b.length;
        return n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n';
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in);
            int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
            if (size == 0) return out.toByteArray();
            out.write(in.readNBytes(size));
            readLine(in);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') if (b != '\r') line.write(b);
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
