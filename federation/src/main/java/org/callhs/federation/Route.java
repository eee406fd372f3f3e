package org.callhs.federation;

/**
 * Where and how to reach a server, as discovery found it.
 *
 * @param uriHost       the host the request URI names: used for TLS (SNI and the certificate's
 *                      name) and, unless {@code connectHost} differs, for connecting
 * @param port          the port to connect to
 * @param connectHost   the host to look up and connect to (an SRV target), or the same as uriHost
 * @param hostHeader    the {@code Host} header the spec asks for in this case
 */
public record Route(String uriHost, int port, String connectHost, String hostHeader) {}
