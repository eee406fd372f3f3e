package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.BackendSuite;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Profiles, account data, filters, push rules and presence, on SQLite and PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class UserDataApiTest extends BackendSuite {
    private static String user(String localpart) { return TestClient.seg("@" + localpart + ":localhost"); }

    @Test
    void profilesRoundTripAndAreOwnOnly() {
        String token = server.registerToken("a/b=c+d.e_f-g");
        String me = user("a/b=c+d.e_f-g");
        assertThat(client.get("/_matrix/client/v3/profile/" + me, null).text("displayname")).isEqualTo("a/b=c+d.e_f-g");
        assertThat(client.put("/_matrix/client/v3/profile/" + me + "/displayname", token, Json.object().put("displayname", "Ann ✨")).status())
                .isEqualTo(200);
        assertThat(client.put("/_matrix/client/v3/profile/" + me + "/avatar_url", token, Json.object().put("avatar_url", "mxc://localhost/abc"))
                .status()).isEqualTo(200);
        Resp profile = client.get("/_matrix/client/v3/profile/" + me, token);
        assertThat(profile.text("displayname")).isEqualTo("Ann ✨");
        assertThat(profile.text("avatar_url")).isEqualTo("mxc://localhost/abc");
        assertThat(client.get("/_matrix/client/v3/profile/" + me + "/displayname", null).text("displayname")).isEqualTo("Ann ✨");

        String other = server.registerToken("bystander");
        Resp forbidden = client.put("/_matrix/client/v3/profile/" + me + "/displayname", other, Json.object().put("displayname", "x"));
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(client.get("/_matrix/client/v3/profile/" + user("ghost"), null).errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(client.get("/_matrix/client/v3/profile/not-a-user-id", null).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.put("/_matrix/client/v3/profile/" + me + "/displayname", token, Json.object().put("displayname", 5)).errcode())
                .isEqualTo("M_BAD_JSON");
        assertThat(client.put("/_matrix/client/v3/profile/" + me + "/displayname", token, Json.object().put("displayname", "x".repeat(300)))
                .status()).isEqualTo(400);
        // Any URI the spec allows (not only mxc://); too long is 400.
        assertThat(client.put("/_matrix/client/v3/profile/" + me + "/avatar_url", token, Json.object().put("avatar_url", "https://x.example/a.png"))
                .status()).isEqualTo(200);
        assertThat(client.get("/_matrix/client/v3/profile/" + me + "/avatar_url", null).text("avatar_url")).isEqualTo("https://x.example/a.png");
        assertThat(client.put("/_matrix/client/v3/profile/" + me + "/avatar_url", token, Json.object().put("avatar_url", "mxc://" + "a".repeat(1000)))
                .status()).isEqualTo(400);
        assertThat(client.put("/_matrix/client/v3/profile/" + me + "/avatar_url", token, Json.object().put("avatar_url", 5)).status())
                .isEqualTo(400);
        client.put("/_matrix/client/v3/profile/" + me + "/avatar_url", token, Json.object().putNull("avatar_url"));
        assertThat(client.get("/_matrix/client/v3/profile/" + me + "/avatar_url", null).errcode()).isEqualTo("M_NOT_FOUND");
    }

    @Test
    void accountDataGlobalAndPerRoom() {
        String token = server.registerToken("keeper");
        String me = user("keeper");
        String type = TestClient.seg("a/b c%d");
        ObjectNode content = Json.object().put("x", 1);
        assertThat(client.put("/_matrix/client/v3/user/" + me + "/account_data/" + type, token, content).status()).isEqualTo(200);
        assertThat(client.get("/_matrix/client/v3/user/" + me + "/account_data/" + type, token).body()).isEqualTo(content);
        String room = TestClient.seg("!room:localhost");
        ObjectNode roomContent = Json.object().put("y", "z");
        assertThat(client.put("/_matrix/client/v3/user/" + me + "/rooms/" + room + "/account_data/" + type, token, roomContent).status())
                .isEqualTo(200);
        assertThat(client.get("/_matrix/client/v3/user/" + me + "/rooms/" + room + "/account_data/" + type, token).body()).isEqualTo(roomContent);
        assertThat(client.get("/_matrix/client/v3/user/" + me + "/account_data/" + type, token).body()).isEqualTo(content);

        assertThat(client.get("/_matrix/client/v3/user/" + me + "/account_data/unknown", token).errcode()).isEqualTo("M_NOT_FOUND");
        String other = server.registerToken("snoop");
        assertThat(client.get("/_matrix/client/v3/user/" + me + "/account_data/" + type, other).status()).isEqualTo(403);
        Resp fullyRead = client.put("/_matrix/client/v3/user/" + me + "/rooms/" + room + "/account_data/m.fully_read", token, content);
        assertThat(fullyRead.status()).isEqualTo(405);
        assertThat(fullyRead.errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.put("/_matrix/client/v3/user/" + me + "/account_data/m.push_rules", token, content).status()).isEqualTo(405);
        assertThat(client.put("/_matrix/client/v3/user/" + me + "/account_data/t", token, "[1]").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.put("/_matrix/client/v3/user/" + me + "/rooms/not-a-room/account_data/t", token, content).errcode())
                .isEqualTo("M_INVALID_PARAM");
    }

    @Test
    void filtersAreValidatedStoredAndOwnOnly() {
        String token = server.registerToken("filterer");
        String me = user("filterer");
        JsonNode filter = Json.parse("{\"room\":{\"timeline\":{\"limit\":5,\"types\":[\"m.room.message\"]}},\"event_format\":\"client\"}");
        Resp created = client.post("/_matrix/client/v3/user/" + me + "/filter", token, filter);
        assertThat(created.status()).isEqualTo(200);
        String id = created.text("filter_id");
        assertThat(client.get("/_matrix/client/v3/user/" + me + "/filter/" + id, token).body()).isEqualTo(filter);
        assertThat(client.get("/_matrix/client/v3/user/" + me + "/filter/999", token).errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(client.get("/_matrix/client/v3/user/" + me + "/filter/abc", token).errcode()).isEqualTo("M_NOT_FOUND");
        for (String bad : List.of("{\"room\":{\"timeline\":{\"limit\":\"5\"}}}", "{\"event_format\":\"xml\"}",
                "{\"room\":{\"rooms\":\"!a:b\"}}", "{\"presence\":{\"types\":[1]}}", "{\"room\":{\"timeline\":{\"lazy_load_members\":1}}}",
                "{\"room\":{\"rooms\":[\"not-a-room\"]}}", "{\"room\":{\"timeline\":{\"not_rooms\":[\"#alias:b\"]}}}",
                "{\"room\":{\"timeline\":{\"senders\":[\"bob\"]}}}", "{\"presence\":{\"not_senders\":[\"@\"]}}")) {
            assertThat(client.post("/_matrix/client/v3/user/" + me + "/filter", token, bad).errcode()).as(bad).isEqualTo("M_BAD_JSON");
        }
        // Valid IDs (v12 room IDs have no server part) are accepted.
        assertThat(client.post("/_matrix/client/v3/user/" + me + "/filter", token,
                "{\"room\":{\"rooms\":[\"!a:b\",\"!abcdef\"],\"timeline\":{\"senders\":[\"@u:b\"]}}}").status()).isEqualTo(200);
        String other = server.registerToken("filterthief");
        assertThat(client.get("/_matrix/client/v3/user/" + me + "/filter/" + id, other).status()).isEqualTo(403);
    }

    @Test
    void pushRulesStartWithTheSpecDefaultsAndAcceptUserRules() {
        String token = server.registerToken("pusher");
        JsonNode global = client.get("/_matrix/client/v3/pushrules/", token).body().path("global");
        assertThat(ids(global.path("override"))).startsWith(".m.rule.master").contains(".m.rule.is_user_mention");
        assertThat(global.path("content").get(0).path("pattern").asText()).isEqualTo("pusher");
        assertThat(global.path("override").get(0).path("enabled").asBoolean()).isFalse();

        String base = "/_matrix/client/v3/pushrules/global/";
        ObjectNode rule = Json.object();
        rule.putArray("actions").add("notify");
        rule.putArray("conditions").addObject().put("kind", "event_match").put("key", "type").put("pattern", "m.call.invite");
        assertThat(client.put(base + "override/first", token, rule).status()).isEqualTo(200);
        assertThat(client.put(base + "override/second", token, rule).status()).isEqualTo(200);
        assertThat(client.put(base + "override/third?after=second", token, rule).status()).isEqualTo(200);
        List<String> order = ids(client.get(base, token).body().path("override"));
        assertThat(order.subList(0, 4)).containsExactly(".m.rule.master", "second", "third", "first");
        assertThat(client.get(base + "override/first", token).body().path("default").asBoolean()).isFalse();

        assertThat(client.put(base + "override/first/enabled", token, Json.object().put("enabled", false)).status()).isEqualTo(200);
        assertThat(client.get(base + "override/first/enabled", token).body().path("enabled").asBoolean()).isFalse();
        assertThat(client.put(base + "override/.m.rule.master/enabled", token, Json.object().put("enabled", true)).status()).isEqualTo(200);
        assertThat(client.get(base + "override/.m.rule.master", token).body().path("enabled").asBoolean()).isTrue();
        ObjectNode actions = Json.object();
        actions.putArray("actions").add("dont_notify");
        assertThat(client.put(base + "underride/.m.rule.message/actions", token, actions).status()).isEqualTo(200);
        assertThat(client.get(base + "underride/.m.rule.message/actions", token).body().path("actions").get(0).asText()).isEqualTo("dont_notify");

        assertThat(client.delete(base + "override/first", token, null).status()).isEqualTo(200);
        assertThat(client.get(base + "override/first", token).errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(client.delete(base + "override/.m.rule.master", token, null).errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(client.put(base + "override/.mine", token, rule).status()).isEqualTo(400);
        assertThat(client.put(base + "override/x?before=missing", token, rule).status()).isEqualTo(400);
        assertThat(client.put(base + "sideways/x", token, rule).status()).isEqualTo(400);
        assertThat(client.put(base + "override/noactions", token, Json.object()).errcode()).isEqualTo("M_MISSING_PARAM");
        assertThat(client.put(base + "content/nopattern", token, actions).errcode()).isEqualTo("M_MISSING_PARAM");
        assertThat(client.get("/_matrix/client/v3/pushrules/device/", token).errcode()).isEqualTo("M_UNRECOGNIZED");
    }

    private static List<String> ids(JsonNode rules) {
        List<String> ids = new ArrayList<>();
        rules.forEach(r -> ids.add(r.path("rule_id").asText()));
        return ids;
    }

    @Test
    void presenceIsStoredAndOwnOnly() {
        String token = server.registerToken("present");
        String me = user("present");
        assertThat(client.get("/_matrix/client/v3/presence/" + me + "/status", token).text("presence")).isEqualTo("offline");
        assertThat(client.put("/_matrix/client/v3/presence/" + me + "/status", token,
                Json.object().put("presence", "online").put("status_msg", "In a call")).status()).isEqualTo(200);
        Resp status = client.get("/_matrix/client/v3/presence/" + me + "/status", token);
        assertThat(status.text("presence")).isEqualTo("online");
        assertThat(status.text("status_msg")).isEqualTo("In a call");
        assertThat(status.body().path("currently_active").asBoolean()).isTrue();
        assertThat(status.body().has("last_active_ago")).isTrue();
        assertThat(client.put("/_matrix/client/v3/presence/" + me + "/status", token, Json.object().put("presence", "busy")).status())
                .isEqualTo(400);
        String other = server.registerToken("presenceforger");
        assertThat(client.put("/_matrix/client/v3/presence/" + me + "/status", other, Json.object().put("presence", "offline")).status())
                .isEqualTo(403);
        assertThat(client.get("/_matrix/client/v3/presence/" + user("nobody") + "/status", token).status()).isEqualTo(404);
    }
}
