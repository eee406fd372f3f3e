package org.callhs.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RouterTest {
    private static Endpoint endpoint(String method, String path) {
        return new Endpoint(method, path, AuthKind.NONE, null, r -> ApiResponse.empty());
    }

    @Test
    void literalsWinOverParametersWithBacktracking() {
        Router router = new Router();
        router.add(endpoint("GET", "/rooms/{room}/state/{type}/{key}"));
        router.add(endpoint("GET", "/rooms/{room}/state"));
        router.add(endpoint("GET", "/rooms/{room}/state/{type}"));
        router.add(endpoint("GET", "/rooms/{room}/members"));
        var found = (Router.Match.Found) router.route("GET", "/rooms/%21a%3Ab/state/m.room.member/%40u%2Fx");
        assertThat(found.endpoint().path()).isEqualTo("/rooms/{room}/state/{type}/{key}");
        assertThat(found.pathParams()).containsEntry("room", "!a:b").containsEntry("key", "@u/x");
        assertThat(((Router.Match.Found) router.route("GET", "/rooms/x/state/t/")).pathParams()).containsEntry("key", "");
        assertThat(((Router.Match.Found) router.route("GET", "/rooms/members/members")).pathParams()).containsEntry("room", "members");
        assertThat(((Router.Match.Found) router.route("HEAD", "/rooms/x/state")).endpoint().method()).isEqualTo("GET");
    }

    @Test
    void distinguishesUnknownPathsFromWrongMethods() {
        Router router = new Router();
        router.add(endpoint("GET", "/a/{b}"));
        assertThat(router.route("GET", "/a")).isInstanceOf(Router.Match.NotFound.class);
        assertThat(router.route("GET", "/a/b/c")).isInstanceOf(Router.Match.NotFound.class);
        assertThat(router.route("POST", "/a/b")).isInstanceOf(Router.Match.WrongMethod.class);
        assertThatThrownBy(() -> router.add(endpoint("GET", "/a/{c}"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void percentDecodingIsPerSegmentAndStrict() {
        assertThat(PercentDecoder.decodeSegment("a+b%20c%2Fd%25")).isEqualTo("a+b c/d%");
        assertThat(PercentDecoder.decodeQueryComponent("a+b%2B")).isEqualTo("a b+");
        assertThat(PercentDecoder.decodeSegment("%C3%A9")).isEqualTo("é");
        assertThatThrownBy(() -> PercentDecoder.decodeSegment("%C3")).hasMessageContaining("percent-encoding");
        assertThatThrownBy(() -> PercentDecoder.decodeSegment("%G1")).hasMessageContaining("percent-encoding");
        assertThatThrownBy(() -> PercentDecoder.decodeSegment("abc%2")).hasMessageContaining("percent-encoding");
    }
}
