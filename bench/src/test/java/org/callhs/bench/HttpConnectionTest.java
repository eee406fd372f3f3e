package org.callhs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Runs the client against a scripted loopback server: one canned answer per request. */
class HttpConnectionTest {

    private ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    /** Answers the n-th request on each connection with answers[n] (closing when it says so). */
    private LoopbackTarget serve(String... answers) throws IOException {
        server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    accepted.incrementAndGet();
                    Thread.ofPlatform().daemon().start(() -> handle(socket, answers));
                } catch (IOException e) {
                    return;
                }
            }
        });
        return LoopbackTarget.parse("http://127.0.0.1:" + server.getLocalPort());
    }

    private void handle(Socket socket, String[] answers) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            for (String answer : answers) {
                String request = readRequest(in);
                if (request == null) {
                    return;
                }
                requests.add(request);
                if (answer.equals("CLOSE")) {
                    return; // drop the connection without answering
                }
                if (answer.equals("HOLD")) { // a long-poll that never answers: wait for the client to go
                    while (in.read() >= 0) {
                        // discard
                    }
                    return;
                }
                if (answer.startsWith("SLOW:")) { // dribble it out 3 bytes at a time
                    byte[] bytes = answer.substring(5).getBytes(StandardCharsets.ISO_8859_1);
                    for (int i = 0; i < bytes.length; i += 3) {
                        out.write(bytes, i, Math.min(3, bytes.length - i));
                        out.flush();
                        sleepMillis(1);
                    }
                } else {
                    out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
                if (answer.contains("Connection: close") || answer.startsWith("HTTP/1.0")) {
                    return;
                }
            }
        } catch (IOException ignored) {
            // test server
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String readRequest(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            if (head.toString().endsWith("\r\n\r\n")) {
                String text = head.toString();
                int i = text.toLowerCase().indexOf("content-length: ");
                if (i >= 0) {
                    int length = Integer.parseInt(text.substring(i + 16, text.indexOf("\r\n", i)));
                    text += new String(in.readNBytes(length), StandardCharsets.UTF_8);
                }
                return text;
            }
        }
        return null;
    }

    @Test
    void keepsTheConnectionAliveAcrossContentLengthAndChunkedAnswers() throws IOException {
        LoopbackTarget target = serve(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
                "HTTP/1.1 401 Unauthorized\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n3;x=y\r\n 1}\r\n0\r\n\r\n",
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
        try (HttpConnection http = new HttpConnection(target, 5000)) {
            HttpResult first = http.exchange("GET", "/_matrix/client/versions", "tok", null);
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.bodyText()).isEqualTo("{}");
            HttpResult second = http.exchange("POST", "/x", null, "{\"k\":1}".getBytes(StandardCharsets.UTF_8));
            assertThat(second.status()).isEqualTo(401);
            assertThat(second.bodyText()).isEqualTo("{\"a\": 1}");
            HttpResult third = http.exchange("GET", "/y", null, null);
            assertThat(third.status()).isEqualTo(204);
            assertThat(http.connectionsOpened()).isEqualTo(1);
        }
        assertThat(requests.get(0)).startsWith("GET /_matrix/client/versions HTTP/1.1\r\n").contains("Authorization: Bearer tok\r\n");
        assertThat(requests.get(1)).contains("Content-Length: 7\r\n").endsWith("\r\n\r\n{\"k\":1}");
    }

    @Test
    void parsesHeadersSplitAcrossReadsInAnyLetterCase() throws IOException {
        LoopbackTarget target = serve(
                "SLOW:HTTP/1.1 200 OK\r\nX-Long-Header: " + "x".repeat(100) + "\r\ncontent-LENGTH: 5\r\n\r\nhello",
                "SLOW:HTTP/1.1 404 Not Found\r\nTRANSFER-ENCODING: Chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
        try (HttpConnection http = new HttpConnection(target, 5000)) {
            assertThat(http.exchange("GET", "/a", null, null).bodyText()).isEqualTo("hello");
            HttpResult second = http.exchange("GET", "/a", null, null); // same request: cached bytes
            assertThat(second.status()).isEqualTo(404);
            assertThat(second.bodyText()).isEqualTo("ok");
            assertThat(http.connectionsOpened()).isEqualTo(1);
        }
        assertThat(requests).hasSize(2).allMatch(r -> r.startsWith("GET /a HTTP/1.1\r\n"));
    }

    @Test
    void retriesOnceWhenAReusedConnectionWasClosed() throws IOException {
        // Every connection answers its first request and drops the second one unanswered.
        LoopbackTarget target = serve(
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na",
                "CLOSE");
        try (HttpConnection http = new HttpConnection(target, 5000)) {
            assertThat(http.exchange("GET", "/1", null, null).bodyText()).isEqualTo("a");
            // The server drops the reused connection without answering: retried on a new one.
            assertThat(http.exchange("GET", "/2", null, null).bodyText()).isEqualTo("a");
            assertThat(http.connectionsOpened()).isEqualTo(2);
        }
        assertThat(accepted.get()).isEqualTo(2);
    }

    @Test
    void readsToTheEndWithoutLengthAndReconnectsAfterClose() throws IOException {
        LoopbackTarget target = serve("HTTP/1.0 200 OK\r\n\r\nuntil-eof", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        try (HttpConnection http = new HttpConnection(target, 5000)) {
            assertThat(http.exchange("GET", "/a", null, null).bodyText()).isEqualTo("until-eof");
            assertThat(http.exchange("GET", "/b", null, null).bodyText()).isEqualTo("until-eof");
            assertThat(http.connectionsOpened()).isEqualTo(2);
        }
    }

    @Test
    void abortEndsABlockedLongPollAndEveryLaterRequest() throws Exception {
        LoopbackTarget target = serve("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na", "HOLD");
        try (HttpConnection http = new HttpConnection(target, 30_000)) {
            assertThat(http.exchange("GET", "/1", null, null).bodyText()).isEqualTo("a");
            java.util.concurrent.CompletableFuture<Throwable> failure = new java.util.concurrent.CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    http.exchange("GET", "/sync", null, null);
                    failure.complete(null);
                } catch (IOException e) {
                    failure.complete(e);
                }
            });
            while (requests.size() < 2) {
                sleepMillis(5);
            }
            long start = System.nanoTime();
            http.abort();
            assertThat(failure.get(5, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(IOException.class);
            assertThat(System.nanoTime() - start).isLessThan(5_000_000_000L);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> http.exchange("GET", "/2", null, null))
                    .isInstanceOf(IOException.class).hasMessageContaining("aborted");
            assertThat(accepted.get()).isEqualTo(1);
        }
    }
}
