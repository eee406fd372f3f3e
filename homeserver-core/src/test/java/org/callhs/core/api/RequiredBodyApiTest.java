package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.callhs.core.testing.Backend;
import org.callhs.core.testing.BackendSuite;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Endpoints whose body the spec requires answer a request without one with 400 {@code M_NOT_JSON}, as Synapse does. */
@ParameterizedClass
@EnumSource(Backend.class)
class RequiredBodyApiTest extends BackendSuite {
    @Test
    void noBodyIsNotJson() {
        String token = server.registerToken("nobody_body");
        String roomId = client.post("/_matrix/client/v3/createRoom", token, "{}").text("room_id");
        for (String path : new String[] {"/_matrix/client/v3/createRoom", "/_matrix/client/v3/keys/upload",
                "/_matrix/client/v3/keys/device_signing/upload", "/_matrix/client/v3/keys/signatures/upload",
                "/_matrix/client/v3/publicRooms", "/_matrix/client/v3/rooms/" + TestClient.seg(roomId) + "/read_markers"}) {
            Resp r = client.call("POST", path, token, null);
            assertThat(r.status()).as(path).isEqualTo(400);
            assertThat(r.errcode()).as(path).isEqualTo("M_NOT_JSON");
        }
        // An empty object is still fine where the endpoint takes one.
        assertThat(client.post("/_matrix/client/v3/createRoom", token, "{}").status()).isEqualTo(200);
        assertThat(client.post("/_matrix/client/v3/publicRooms", token, "{}").status()).isEqualTo(200);
    }
}
