package org.callhs.core.room.remote;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.spi.FederatedRooms;

/** Core's side of federated rooms, as the federation module reaches it. */
public final class CoreFederatedRooms implements FederatedRooms {
    private final PduReceiver receiver;

    public CoreFederatedRooms(PduReceiver receiver) {
        this.receiver = receiver;
    }

    @Override
    public List<PduResult> receive(String origin, List<JsonNode> pdus) {
        List<PduResult> results = new ArrayList<>(pdus.size());
        for (JsonNode pdu : pdus) {
            PduReceiver.Receipt receipt = receiver.receive(origin, pdu);
            results.add(new PduResult(receipt.eventId(), receipt.error()));
        }
        return results;
    }
}
