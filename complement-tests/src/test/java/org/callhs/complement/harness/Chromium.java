package org.callhs.complement.harness;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Chromium for the browser scenarios: {@code CALLHS_CHROMIUM} when it names a binary, else what
 * {@code .ci/chromium.sh} finds or installs (Debian's package, as root).
 */
public final class Chromium {
    private Chromium() {}

    public static String binary() {
        String configured = System.getenv("CALLHS_CHROMIUM");
        if (configured != null && Files.isExecutable(Path.of(configured))) return configured;
        return CiScripts.export("chromium.sh", "CALLHS_CHROMIUM");
    }
}
