package dev.klpfleet.patchbuild.pipeline;

import dev.klpfleet.patchbuild.release.KernelRelease;

/** Told where each release's build is; called from build threads, so implementations must be thread-safe. */
public interface BuildProgress {
    enum Stage { QUEUED, COMPILING, INSPECTING, LINTING, SIGNING }

    void stage(KernelRelease release, Stage stage);

    void finished(KernelRelease release, ReleaseResult result);

    BuildProgress NONE = new BuildProgress() {
        @Override
        public void stage(KernelRelease release, Stage stage) {}

        @Override
        public void finished(KernelRelease release, ReleaseResult result) {}
    };
}
