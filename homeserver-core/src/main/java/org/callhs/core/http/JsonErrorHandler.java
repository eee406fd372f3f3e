package org.callhs.core.http;

import java.nio.ByteBuffer;
import org.callhs.core.error.ErrCode;
import org.callhs.core.util.Json;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself, before any handler runs (a path with a NUL or another character
 * its URI parser refuses, a malformed header): a Matrix error body instead of Jetty's HTML page,
 * so every answer a client gets is JSON.
 */
final class JsonErrorHandler extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus() >= 400 ? response.getStatus() : 500;
        Object message = request.getAttribute(ERROR_MESSAGE);
        var body = Json.object()
                .put("errcode", status == 404 ? ErrCode.UNRECOGNIZED : ErrCode.UNKNOWN)
                .put("error", message == null ? "Bad request" : message.toString());
        byte[] bytes = Json.bytes(body);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        MatrixHandler.corsHeaders(response.getHeaders());
        response.write(true, ByteBuffer.wrap(bytes), callback);
        return true;
    }
}
