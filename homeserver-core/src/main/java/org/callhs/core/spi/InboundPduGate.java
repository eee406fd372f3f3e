package org.callhs.core.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Looks at the PDUs of a {@code /send} transaction before any is processed, and may refuse the
 * whole transaction (MSC4354's federation rate limit, option A: the origin retries it later, so
 * nothing is lost) by throwing {@link org.callhs.core.error.MatrixException} 429
 * {@code M_LIMIT_EXCEEDED} with a retry delay. It must not refuse a transaction in a way the origin's
 * retry could never pass.
 */
@FunctionalInterface
public interface InboundPduGate {
    void admit(String origin, List<JsonNode> pdus);
}
