package dev.klpfleet.protocol.artifact;

/**
 * Who built a module, with which tools and when.
 *
 * @param host           the build host's name
 * @param klpfleet       the klpfleet version that ran the build
 * @param backend        {@code kbuild}, {@code kpatch-build} or {@code klp-build}
 * @param compiler       first line of the compiler's {@code --version} on the build host
 * @param kernelCompiler the compiler the kernel itself was built with ({@code CONFIG_CC_VERSION_TEXT}),
 *                       or null when the headers do not say
 * @param builtAt        ISO-8601 instant the module was built
 */
public record BuildProvenance(
        String host, String klpfleet, String backend, String compiler, String kernelCompiler, String builtAt) {}
