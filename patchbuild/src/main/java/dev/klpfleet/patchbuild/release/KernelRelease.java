package dev.klpfleet.patchbuild.release;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kernel release as {@code uname -r} prints it, e.g. {@code 6.12.117+deb12-amd64}, with the
 * major.minor that kernel behaviour depends on.
 */
public record KernelRelease(String name, int major, int minor) implements Comparable<KernelRelease> {
    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)");
    /** A release name is a path segment: no slashes, no leading dot, nothing a shell would expand. */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+~-]*");

    public KernelRelease {
        Objects.requireNonNull(name, "name");
    }

    /**
     * Parses a release name.
     *
     * @throws IllegalArgumentException if it does not start with {@code MAJOR.MINOR} or holds
     *                                  characters no release name has
     */
    public static KernelRelease parse(String name) {
        if (!SAFE.matcher(name).matches()) {
            throw new IllegalArgumentException("not a kernel release name: '" + name + "'");
        }
        Matcher m = VERSION.matcher(name);
        if (!m.find()) {
            throw new IllegalArgumentException("kernel release '" + name + "' does not start with MAJOR.MINOR");
        }
        return new KernelRelease(name, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    public boolean olderThan(int major, int minor) {
        return this.major < major || (this.major == major && this.minor < minor);
    }

    @Override
    public int compareTo(KernelRelease o) {
        int c = Integer.compare(major, o.major);
        c = c != 0 ? c : Integer.compare(minor, o.minor);
        return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return name;
    }
}
