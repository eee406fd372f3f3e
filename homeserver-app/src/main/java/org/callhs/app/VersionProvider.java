package org.callhs.app;

import org.callhs.core.Homeserver;
import picocli.CommandLine;

final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"callhs " + Homeserver.VERSION};
    }
}
