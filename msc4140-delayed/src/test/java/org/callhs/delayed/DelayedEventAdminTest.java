package org.callhs.delayed;

import static org.assertj.core.api.Assertions.assertThat;

import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The admin listing and cancelling of a user's delayed events, admins only, with bad input. */
@ParameterizedClass
@EnumSource(Backend.class)
class DelayedEventAdminTest extends DelayedEventsSuite {
    private static final String SECRET = "delayed admin secret";

    @BeforeParameterizedClassInvocation
    static void startServer(Backend backend) {
        start(backend, "registration.shared_secret=\"" + SECRET + "\"");
    }

    private static String path(String userId) {
        return "/_callhs/admin/v1/users/" + TestClient.seg(userId) + "/delayed_events";
    }

    @Test
    void anAdminListsAndCancelsAUsersDelayedEvents() {
        String admin = server.registerAdmin(SECRET, "delay-root");
        String alice = server.registerToken("adm-alice");
        String bob = server.registerToken("adm-bob");
        String aliceId = client.get("/_matrix/client/v3/account/whoami", alice).text("user_id");
        String bobId = client.get("/_matrix/client/v3/account/whoami", bob).text("user_id");
        String hs = aliceId.substring(aliceId.indexOf(':') + 1);
        String roomId = room(alice, bob);
        String first = delayState(alice, roomId, TYPE, "one", 600_000, "{\"n\":1}");
        String second = delayState(alice, roomId, TYPE, "two", 600_000, "{\"n\":2}");
        String bobs = delayState(bob, roomId, TYPE, "bob", 600_000, "{\"n\":3}");

        Resp list = client.get(path(aliceId), admin);
        assertThat(list.status()).as("%s", list.body()).isEqualTo(200);
        assertThat(list.body().path("total").asInt()).isEqualTo(2);
        assertThat(list.body().path("delayed_events").findValuesAsText("delay_id")).containsExactlyInAnyOrder(first, second);
        assertThat(list.body().path("delayed_events").get(0).path("room_id").asText()).isEqualTo(roomId);

        // Non-admins, including the owner, cannot use it; nothing changes.
        for (String token : new String[] {alice, bob}) {
            Resp r = client.get(path(aliceId), token);
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(client.delete(path(aliceId) + "/" + first, token, null).status()).isEqualTo(403);
        }
        assertThat(client.get(path(aliceId), null).status()).isEqualTo(401);

        assertThat(client.delete(path(aliceId) + "/" + first, admin, null).status()).isEqualTo(200);
        assertThat(scheduled(alice).findValuesAsText("delay_id")).containsExactly(second);
        Resp gone = client.get(U + "/delayed_events/" + first, alice);
        assertThat(gone.body().path("finalised_ts").isNumber()).as("%s", gone.body()).isTrue();

        // Another user's delay ID under this user, an unknown one: 404, and bob's event stays.
        Resp wrongOwner = client.delete(path(aliceId) + "/" + bobs, admin, null);
        assertThat(wrongOwner.status()).isEqualTo(404);
        assertThat(wrongOwner.errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(client.delete(path(aliceId) + "/nosuchdelay", admin, null).status()).isEqualTo(404);
        assertThat(scheduled(bob).findValuesAsText("delay_id")).containsExactly(bobs);
        assertThat(client.get(path(bobId), admin).body().path("total").asInt()).isEqualTo(1);

        Resp remote = client.get(path("@alice:elsewhere.example"), admin);
        assertThat(remote.status()).isEqualTo(400);
        assertThat(remote.errcode()).isEqualTo("M_UNKNOWN");
        Resp malformed = client.get(path("alice"), admin);
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(path("@nobody-at-all:" + hs), admin).body().path("total").asInt()).isZero();
    }

    /** Deleting a room (the admin room deletion API) takes its delayed events with it: none is listed, none fires. */
    @Test
    void deletingARoomDeletesItsDelayedEvents() {
        String admin = server.registerAdmin(SECRET, "purge-root");
        String carol = server.registerToken("purge-carol");
        String doomed = room(carol);
        String kept = room(carol);
        String later = delayState(carol, doomed, TYPE, "later", 600_000, "{\"n\":1}");
        String soon = delayState(carol, doomed, TYPE, "soon", 1_500, "{\"n\":2}");
        String elsewhere = delayState(carol, kept, TYPE, "kept", 600_000, "{\"n\":3}");
        assertThat(scheduled(carol).findValuesAsText("delay_id")).containsExactlyInAnyOrder(later, soon, elsewhere);

        Resp deleted = client.delete("/_synapse/admin/v1/rooms/" + TestClient.seg(doomed), admin, "{}");
        assertThat(deleted.status()).as("%s", deleted.body()).isEqualTo(200);
        assertThat(scheduled(carol).findValuesAsText("delay_id")).containsExactly(elsewhere);
        for (String gone : new String[] {later, soon}) {
            assertThat(client.get(U + "/delayed_events/" + gone, carol).status()).isEqualTo(404);
            assertThat(action(gone, "send", carol).status()).isEqualTo(404);
        }
        // Past the short one's due time nothing was sent: the room is still unknown.
        sleep(2_500);
        assertThat(client.get("/_synapse/admin/v1/rooms/" + TestClient.seg(doomed), admin).status()).isEqualTo(404);
        assertThat(state(carol, kept, TYPE, "kept").status()).isEqualTo(404);
    }
}
