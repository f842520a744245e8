package dev.klpfleet.protocol.fleet;

import java.util.List;

/**
 * The host's desired patch set for its current kernel release. klpfleet-managed patches that are
 * loaded but not listed should be unloaded.
 */
public record CheckinResponse(String hostId, List<DesiredPatch> desired, int checkinIntervalSeconds) {}
