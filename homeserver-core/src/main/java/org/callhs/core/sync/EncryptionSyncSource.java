package org.callhs.core.sync;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** What {@code /sync} reports about end-to-end encryption keys (implemented by the key service). */
public interface EncryptionSyncSource {
    /** Users whose device lists changed ({@code changed}) or who no longer share a room ({@code left}). */
    record DeviceListChanges(Set<String> changed, Set<String> left) {
        public boolean isEmpty() { return changed.isEmpty() && left.isEmpty(); }
    }

    Map<String, Integer> oneTimeKeyCounts(String userId, String deviceId);

    List<String> unusedFallbackKeyTypes(String userId, String deviceId);

    DeviceListChanges deviceListChanges(String userId, SyncToken from, SyncToken to);
}
