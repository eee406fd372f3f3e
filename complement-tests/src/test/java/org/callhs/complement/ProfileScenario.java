package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.Homeserver;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.MatrixIds;
import org.callhs.complement.harness.Names;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/** Display names and avatars: own profile, other users' profiles, unknown users, odd user IDs. */
@HomeserverScenario
class ProfileScenario {

    private static final String PASSWORD = "profile-password";

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, ProfileScenario.class);
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private static Homeserver hs() { return deployment.hs1(); }

    @Test
    void displayNameAndAvatarRoundTrip() {
        CsApiClient alice = hs().client().register(Names.unique("profile"), PASSWORD);
        String avatar = "mxc://" + MatrixIds.serverName(alice.userId()) + "/avatar" + Names.random(6);

        alice.put(obj("displayname", "Ålice 🚀"), "profile", alice.userId(), "displayname").assertOk();
        alice.put(obj("avatar_url", avatar), "profile", alice.userId(), "avatar_url").assertOk();

        assertThat(alice.get("profile", alice.userId(), "displayname").assertOk().path("displayname").asText())
                .isEqualTo("Ålice 🚀");
        assertThat(alice.get("profile", alice.userId(), "avatar_url").assertOk().path("avatar_url").asText())
                .isEqualTo(avatar);
        JsonNode profile = alice.get("profile", alice.userId()).assertOk();
        assertThat(profile.path("displayname").asText()).isEqualTo("Ålice 🚀");
        assertThat(profile.path("avatar_url").asText()).isEqualTo(avatar);

        alice.put(obj("displayname", "Alice Two"), "profile", alice.userId(), "displayname").assertOk();
        assertThat(alice.get("profile", alice.userId()).assertOk().path("displayname").asText()).isEqualTo("Alice Two");
    }

    @Test
    void otherUsersCanReadButNotChangeAProfile() {
        CsApiClient alice = hs().client().register(Names.unique("owner"), PASSWORD);
        CsApiClient bob = hs().client().register(Names.unique("other"), PASSWORD);
        alice.put(obj("displayname", "Alice"), "profile", alice.userId(), "displayname").assertOk();

        assertThat(bob.get("profile", alice.userId(), "displayname").assertOk().path("displayname").asText())
                .isEqualTo("Alice");
        bob.put(obj("displayname", "Mallory"), "profile", alice.userId(), "displayname").assertError(403, "M_FORBIDDEN");
        bob.put(obj("avatar_url", "mxc://evil/x"), "profile", alice.userId(), "avatar_url").assertError(403, "M_FORBIDDEN");
        assertThat(alice.get("profile", alice.userId()).assertOk().path("displayname").asText()).isEqualTo("Alice");
    }

    @Test
    void profileOfAnUnknownLocalUserIsNotFound() {
        CsApiClient alice = hs().client().register(Names.unique("asker"), PASSWORD);
        String nobody = MatrixIds.userId(Names.unique("nobody"), MatrixIds.serverName(alice.userId()));
        alice.get("profile", nobody).assertError(404, "M_NOT_FOUND");
        alice.get("profile", nobody, "displayname").assertError(404, "M_NOT_FOUND");
    }

    @Test
    void userIdsThatNeedPercentEncodingWork() {
        String localpart = "a/b=c+d.e_f-g" + Names.random(5);
        CsApiClient weird = hs().client().register(localpart, PASSWORD);
        assertThat(weird.userId()).isEqualTo("@" + localpart + ":" + hs().serverName());
        assertThat(weird.whoami().path("user_id").asText()).isEqualTo(weird.userId());

        weird.put(obj("displayname", "Slashy"), "profile", weird.userId(), "displayname").assertOk();
        assertThat(weird.get("profile", weird.userId()).assertOk().path("displayname").asText()).isEqualTo("Slashy");

        CsApiClient again = hs().client().login(localpart, PASSWORD);
        assertThat(again.userId()).isEqualTo(weird.userId());
        assertThat(again.get("profile", weird.userId(), "displayname").assertOk().path("displayname").asText())
                .isEqualTo("Slashy");
    }
}
