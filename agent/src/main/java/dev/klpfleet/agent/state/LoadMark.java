package dev.klpfleet.agent.state;

import java.time.Instant;

/**
 * A load of a patch this agent started on one boot: written to the state file (fsynced) before
 * insmod, and again with {@code completedAt} when the load returned. The boot that follows a crash
 * finds it and judges it ({@code crash.CrashGuard}); an unload of the patch removes it.
 *
 * @param bootId      {@code /proc/sys/kernel/random/boot_id} of the boot the load ran on; null when unreadable
 * @param startedAt   when the agent decided the load, just before insmod
 * @param completedAt when the load returned with the patch applied (or its module left in the kernel); null while it runs
 */
public record LoadMark(String patch, String version, String sha256, String rolloutId, String bootId, Instant startedAt,
                       Instant completedAt) {

    public LoadMark completed(Instant at) {
        return new LoadMark(patch, version, sha256, rolloutId, bootId, startedAt, at);
    }
}
