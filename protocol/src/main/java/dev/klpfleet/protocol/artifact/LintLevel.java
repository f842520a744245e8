package dev.klpfleet.protocol.artifact;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a lint judged a build for one release. */
public enum LintLevel {
    /** Checked, and fine. */
    @JsonProperty("pass") PASS,
    /** Will work, with a known cost or risk the reason names. */
    @JsonProperty("warn") WARN,
    /** Will not work on that release as written (the reason says why); such builds are not signed. */
    @JsonProperty("fail") FAIL,
    /** The data needed to decide is not available for that release; the reason says which. */
    @JsonProperty("unknown") UNKNOWN
}
