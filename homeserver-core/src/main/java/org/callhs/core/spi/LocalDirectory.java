package org.callhs.core.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.Set;

/**
 * What this server knows about its own users and aliases, as other servers may ask for it
 * (Server-Server API queries). Implemented by core, used by the federation module.
 */
public interface LocalDirectory {
    /** A local user's {@code displayname} and {@code avatar_url} (absent fields left out); empty for an unknown user. */
    Optional<ObjectNode> profile(String userId);

    /** The room a local alias points at; empty when the alias is unknown. */
    Optional<String> roomIdForAlias(String alias);

    /** Other servers with a joined member in a room where {@code userId} (a local user) is joined. */
    Set<String> serversSharingRoomWith(String userId);
}
