package org.callhs.media;

import static org.assertj.core.api.Assertions.assertThat;

import org.callhs.core.testing.Backend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code media.dynamic_thumbnails: true}: every requested size gets a thumbnail of its own, cached. */
@ParameterizedClass
@EnumSource(Backend.class)
class DynamicThumbnailTest extends MediaSuite {

    @BeforeParameterizedClassInvocation
    static void startServer(Backend backend) {
        start(backend, "media.dynamic_thumbnails=true");
    }

    @Test
    void eachRequestedSizeIsMadeExactlyAndKept() {
        String alice = server.registerToken("dyn-alice");
        String id = uploaded(alice, image(1000, 673, "png", false), "image/png", null);
        Raw scale = thumbnail(id, alice, 100, 100, "scale");
        assertThat(size(scale.bytes())).containsExactly(100, 67);
        assertThat(size(thumbnail(id, alice, 50, 80, "crop").bytes())).containsExactly(50, 80);
        assertThat(size(thumbnail(id, alice, 900, 900, "scale").bytes())).containsExactly(900, 606);
        assertThat(thumbnail(id, alice, 100, 100, "scale").bytes()).isEqualTo(scale.bytes());
    }
}
