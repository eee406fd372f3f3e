package org.callhs.core.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Routes a raw (still percent-encoded) path to an endpoint. Templates are stored in a trie of
 * segments; literal segments win over parameters, with backtracking, so
 * {@code /rooms/{id}/state/{type}} and {@code /rooms/{id}/state/{type}/{key}} coexist. Path
 * parameters are percent-decoded one segment at a time, after matching, so a decoded value may
 * contain {@code /}.
 */
public final class Router {
    private final Node root = new Node();

    public void add(Endpoint endpoint) {
        Node node = root;
        List<String> paramNames = new ArrayList<>();
        for (String segment : split(endpoint.path())) {
            if (segment.startsWith("{") && segment.endsWith("}")) {
                paramNames.add(segment.substring(1, segment.length() - 1));
                if (node.param == null) node.param = new Node();
                node = node.param;
            } else {
                node = node.literals.computeIfAbsent(segment, s -> new Node());
            }
        }
        Route previous = node.routes.putIfAbsent(endpoint.method(), new Route(endpoint, List.copyOf(paramNames)));
        if (previous != null) {
            throw new IllegalStateException("Endpoint registered twice: " + endpoint.method() + " " + endpoint.path());
        }
    }

    /** The outcome of routing: a matched route, a path with other methods only, or nothing. */
    public sealed interface Match {
        record Found(Endpoint endpoint, Map<String, String> pathParams) implements Match {}
        record WrongMethod(List<String> allowed) implements Match {}
        record NotFound() implements Match {}
    }

    public Match route(String method, String rawPath) {
        List<String> segments = split(rawPath);
        List<String> captured = new ArrayList<>();
        Node node = find(root, segments, 0, captured);
        if (node == null) return new Match.NotFound();
        Route route = node.routes.get(method);
        if (route == null && "HEAD".equals(method)) route = node.routes.get("GET");
        if (route == null) return new Match.WrongMethod(List.copyOf(node.routes.keySet()));
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < route.paramNames.size(); i++) {
            params.put(route.paramNames.get(i), PercentDecoder.decodeSegment(captured.get(i)));
        }
        return new Match.Found(route.endpoint, params);
    }

    private static Node find(Node node, List<String> segments, int index, List<String> captured) {
        if (index == segments.size()) return node.routes.isEmpty() ? null : node;
        String segment = segments.get(index);
        Node literal = node.literals.get(segment);
        if (literal != null) {
            Node found = find(literal, segments, index + 1, captured);
            if (found != null) return found;
        }
        if (node.param != null) {
            captured.add(segment);
            Node found = find(node.param, segments, index + 1, captured);
            if (found != null) return found;
            captured.remove(captured.size() - 1);
        }
        return null;
    }

    /** Splits on '/', keeping a trailing empty segment (so "/pushrules/" differs from "/pushrules"). */
    private static List<String> split(String path) {
        List<String> segments = new ArrayList<>();
        int start = path.startsWith("/") ? 1 : 0;
        while (true) {
            int slash = path.indexOf('/', start);
            if (slash < 0) {
                segments.add(path.substring(start));
                return segments;
            }
            segments.add(path.substring(start, slash));
            start = slash + 1;
        }
    }

    private record Route(Endpoint endpoint, List<String> paramNames) {}

    private static final class Node {
        final Map<String, Node> literals = new HashMap<>();
        final Map<String, Route> routes = new LinkedHashMap<>();
        Node param;
    }
}
