package dev.klpfleet.agent;

import java.util.Map;

/** What the agent tells the server about this host when it enrolls. */
public record Identity(String hostname, String distro, Map<String, String> labels) {
    public Identity {
        labels = Map.copyOf(labels);
    }
}
