package dev.klpfleet.protocol.fleet;

import java.util.List;
import java.util.Map;

/**
 * What a host sends once, with an enrollment token, to join the fleet.
 *
 * @param labels       arbitrary key/value labels, e.g. region, cluster, tier; merged over the enrollment token's labels
 * @param capabilities kernel capabilities the agent detected, e.g. {@code livepatch}, {@code ftrace}, {@code klp-replace}
 */
public record EnrollRequest(String hostname, String kernelRelease, String distro, Map<String, String> labels,
                            List<String> capabilities) {}
