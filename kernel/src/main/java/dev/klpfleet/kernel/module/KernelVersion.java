package dev.klpfleet.kernel.module;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The major.minor of a kernel release such as {@code 6.12.117+deb12-amd64}: what struct layouts depend on. */
public record KernelVersion(int major, int minor) implements Comparable<KernelVersion> {

    private static final Pattern RELEASE = Pattern.compile("^(\\d{1,4})\\.(\\d{1,4})(?:\\D.*)?$");

    public static Optional<KernelVersion> ofRelease(String release) {
        Matcher m = RELEASE.matcher(release);
        return m.matches() ? Optional.of(new KernelVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)))) : Optional.empty();
    }

    public boolean atLeast(int major, int minor) {
        return compareTo(new KernelVersion(major, minor)) >= 0;
    }

    @Override
    public int compareTo(KernelVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
