package org.callhs.core.spi;

import java.util.Optional;

/**
 * Other servers' public signing keys, for checking the signatures on the events they sent
 * (Server-Server API "Validating hashes and signatures on received events"). The federation
 * module provides it from its key ring; without that module no remote key is known.
 */
@FunctionalInterface
public interface ServerKeys {
    /**
     * The ed25519 public key {@code server} signs with as {@code keyId}, if it is known to be
     * valid at {@code validAt} (milliseconds); empty when unknown, expired then, or the server
     * cannot be reached.
     */
    Optional<byte[]> key(String server, String keyId, long validAt);

    /** Knows no key. */
    ServerKeys NONE = (server, keyId, validAt) -> Optional.empty();
}
