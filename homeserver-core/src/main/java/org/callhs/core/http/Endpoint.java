package org.callhs.core.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An endpoint descriptor: one method and one path template ({@code {name}} marks a path
 * parameter, matched against exactly one percent-encoded segment), who may call it, which
 * rate-limit class applies (or {@code null}), and its handler. Core and every module register
 * their endpoints as a list of these. A {@code streamsBody} endpoint (media uploads) reads its
 * request body itself through {@link ApiRequest#bodyStream()}, with its own size limit, instead
 * of the edge buffering it up to the general request size limit.
 */
public record Endpoint(String method, String path, AuthKind auth, String rateLimitClass, ApiHandler handler,
                       boolean streamsBody) {
    public Endpoint(String method, String path, AuthKind auth, String rateLimitClass, ApiHandler handler) {
        this(method, path, auth, rateLimitClass, handler, false);
    }

    public Endpoint {
        Objects.requireNonNull(method);
        Objects.requireNonNull(path);
        Objects.requireNonNull(auth);
        Objects.requireNonNull(handler);
    }

    /** Client-Server API prefixes that current clients use for stable endpoints. */
    public static final List<String> CLIENT_R0_V3 = List.of("/_matrix/client/r0", "/_matrix/client/v3");
    public static final List<String> CLIENT_V3 = List.of("/_matrix/client/v3");
    public static final List<String> CLIENT_V1 = List.of("/_matrix/client/v1");

    /** The same endpoint under each of the given prefixes. */
    public static List<Endpoint> under(List<String> prefixes, String method, String suffix, AuthKind auth,
                                       String rateLimitClass, ApiHandler handler) {
        List<Endpoint> list = new ArrayList<>(prefixes.size());
        for (String prefix : prefixes) list.add(new Endpoint(method, prefix + suffix, auth, rateLimitClass, handler));
        return list;
    }

    /** This endpoint, reading its own body as a stream. */
    public Endpoint streaming() {
        return new Endpoint(method, path, auth, rateLimitClass, handler, true);
    }
}
