package org.callhs.federation;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.spi.ServerRequestAuthenticator;
import org.callhs.core.util.Json;

/**
 * Checks X-Matrix signatures on requests to the federation listener (Server-Server API
 * "Request Authentication"). The signature must cover the method, the raw request target as
 * received (still percent-encoded), the origin, this server as destination and the body when
 * there is one, with a key of the origin valid now. Refusals are 401 {@code M_UNAUTHORIZED}
 * naming the reason. A verified request also tells the outbound queue that the origin is up.
 */
public final class RequestVerifier implements ServerRequestAuthenticator {
    private final String ourName;
    private final KeyRing keys;
    private final Clock clock;
    private final Consumer<String> originSeen;

    public RequestVerifier(String ourName, KeyRing keys, Clock clock, Consumer<String> originSeen) {
        this.ourName = ourName;
        this.keys = keys;
        this.clock = clock;
        this.originSeen = originSeen;
    }

    @Override
    public String authenticate(String method, String rawTarget, List<String> authorizationHeaders, byte[] body) {
        if (authorizationHeaders.isEmpty()) throw unauthorized("Missing Authorization header");
        JsonNode content = null;
        if (body.length > 0) {
            try {
                content = Json.parse(body);
            } catch (java.io.IOException | RuntimeException e) {
                throw MatrixException.notJson("Content not JSON");
            }
        }
        String reason = "No X-Matrix Authorization header";
        for (String header : authorizationHeaders) {
            Optional<XMatrix.Header> parsed = XMatrix.parse(header);
            if (parsed.isEmpty()) {
                reason = "Malformed X-Matrix Authorization header";
                continue;
            }
            XMatrix.Header h = parsed.get();
            if (!ServerName.isValid(h.origin())) {
                reason = "Invalid origin server name";
                continue;
            }
            if (h.destination() != null && !h.destination().equals(ourName)) {
                reason = "The request is for " + h.destination() + ", not this server";
                continue;
            }
            if (!h.key().startsWith("ed25519:")) {
                reason = "Unsupported key algorithm " + h.key();
                continue;
            }
            Optional<byte[]> key = keys.key(h.origin(), h.key(), clock.millis());
            if (key.isEmpty()) {
                reason = "Unknown key " + h.key() + " for " + h.origin();
                continue;
            }
            String destination = h.destination() != null ? h.destination() : ourName;
            if (XMatrix.verify(key.get(), h.sig(), method, rawTarget, h.origin(), destination, content)) {
                originSeen.accept(h.origin());
                return h.origin();
            }
            reason = "Invalid signature for server " + h.origin() + " with key " + h.key();
        }
        throw unauthorized(reason);
    }

    private static MatrixException unauthorized(String reason) {
        return new MatrixException(ErrCode.UNAUTHORIZED, 401, reason);
    }
}
