package org.callhs.federation;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.spi.RemoteServers;
import org.callhs.core.util.Json;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Downloads another server's media for this server's clients. First the authenticated
 * federation endpoint, whose {@code multipart/mixed} answer is parsed as it streams (Apache
 * mime4j): the metadata part is skipped, and the file part is either the bytes or a
 * {@code Location} to fetch them from. A server that does not know that endpoint (404 or 405
 * with {@code M_UNRECOGNIZED} or no Matrix error, or a 400 saying it does not understand)
 * is asked through the legacy download with {@code allow_remote=false}, as the spec says.
 * https://spec.matrix.org/v1.16/server-server-api/#content-repository
 */
final class MediaFetcher {
    private final FederationClient client;

    MediaFetcher(FederationClient client) {
        this.client = client;
    }

    void fetch(String server, String mediaId, long timeoutMs, RemoteServers.MediaSink sink) throws IOException {
        String target = "/_matrix/federation/v1/media/download/" + Paths.segment(mediaId) + "?timeout_ms=" + timeoutMs;
        boolean done;
        try {
            done = client.getStreamed(server, target, true, timeoutMs, (status, headers, body) -> {
                if (status == 200) {
                    readMultipart(headers, body, timeoutMs, sink);
                    return true;
                }
                JsonNode error = errorBody(headers, body);
                if (unknownEndpoint(status, error)) return false;
                throw remoteError(status, error);
            });
        } catch (FederationException e) {
            throw e.toClientError("Remote media");
        }
        if (done) return;
        String legacy = "/_matrix/media/v3/download/" + Paths.segment(server) + "/" + Paths.segment(mediaId)
                + "?allow_remote=false&allow_redirect=true&timeout_ms=" + timeoutMs;
        try {
            client.getStreamed(server, legacy, false, timeoutMs, (status, headers, body) -> {
                if (status != 200) throw remoteError(status, errorBody(headers, body));
                sink.accept(headers.get(HttpHeader.CONTENT_TYPE), headers.get("Content-Disposition"), body);
                return null;
            });
        } catch (FederationException e) {
            throw e.toClientError("Remote media");
        }
    }

    private void readMultipart(HttpFields headers, InputStream body, long timeoutMs, RemoteServers.MediaSink sink) throws IOException {
        String type = headers.get(HttpHeader.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/mixed")) {
            throw new MatrixException(ErrCode.UNKNOWN, 502, "The remote server's media answer is not multipart/mixed");
        }
        // Header lines are bounded (a remote cannot stream one line into memory without end); the
        // file part's bytes are read as a stream, whatever their line lengths.
        MimeTokenStream parts = new MimeTokenStream(MimeConfig.custom().setMaxLineLen(16 * 1024).setMaxHeaderLen(64 * 1024)
                .setMaxHeaderCount(100).setMaxContentLen(-1).build());
        parts.parseHeadless(body, type);
        int part = 0;
        String partType = null;
        String disposition = null;
        String location = null;
        try {
            for (EntityState state = parts.getState(); state != EntityState.T_END_OF_STREAM; state = parts.next()) {
                switch (state) {
                    case T_START_BODYPART -> {
                        part++;
                        partType = null;
                        disposition = null;
                        location = null;
                    }
                    case T_FIELD -> {
                        Field field = parts.getField();
                        String name = field.getName().toLowerCase(Locale.ROOT);
                        String value = field.getBody() == null ? null : field.getBody().trim();
                        if (name.equals("content-type")) partType = value;
                        else if (name.equals("content-disposition")) disposition = value;
                        else if (name.equals("location")) location = value;
                    }
                    case T_BODY -> {
                        if (part == 2) {
                            if (location != null) {
                                fetchLocation(location, timeoutMs, sink);
                            } else {
                                sink.accept(partType, disposition, parts.getInputStream());
                            }
                            return;
                        }
                    }
                    default -> { }
                }
            }
        } catch (MimeException e) {
            throw new MatrixException(ErrCode.UNKNOWN, 502, "The remote server's media answer is malformed: " + e.getMessage());
        }
        throw new MatrixException(ErrCode.UNKNOWN, 502, "The remote server's media answer has no file part");
    }

    private void fetchLocation(String location, long timeoutMs, RemoteServers.MediaSink sink) throws IOException {
        client.getUrlStreamed(location, timeoutMs, (status, headers, body) -> {
            if (status != 200) throw remoteError(status, errorBody(headers, body));
            sink.accept(headers.get(HttpHeader.CONTENT_TYPE), headers.get("Content-Disposition"), body);
            return null;
        });
    }

    /** The remote's Matrix error, if its answer is a small JSON one. */
    private static JsonNode errorBody(HttpFields headers, InputStream body) {
        String type = headers.get(HttpHeader.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) return null;
        try {
            byte[] bytes = body.readNBytes(64 * 1024);
            JsonNode json = Json.parse(bytes);
            return json.isObject() ? json : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static boolean unknownEndpoint(int status, JsonNode error) {
        String errcode = error == null ? null : error.path("errcode").asText(null);
        if (status == 404 || status == 405) return errcode == null || errcode.equals(ErrCode.UNRECOGNIZED);
        // Some servers answer 400 M_UNRECOGNIZED for paths they do not serve.
        return status == 400 && (errcode == null || errcode.equals(ErrCode.UNRECOGNIZED));
    }

    private static MatrixException remoteError(int status, JsonNode error) {
        if (status == 404) return MatrixException.notFound("Remote media not found");
        if (status == 504 && error != null && "M_NOT_YET_UPLOADED".equals(error.path("errcode").asText())) {
            return new MatrixException("M_NOT_YET_UPLOADED", 504, "The remote media has not been uploaded yet");
        }
        if (status == 429) return new MatrixException(ErrCode.LIMIT_EXCEEDED, 429, "The remote server is rate-limiting media downloads");
        return new MatrixException(ErrCode.UNKNOWN, 502, "Failed to fetch remote media: the remote server answered HTTP " + status);
    }
}
