#!/usr/bin/env bash
# Runs inside a real guest kernel: every klpfleet kernel command, scenario by scenario.
# Each step leaves NAME.out (stdout), NAME.err (stderr) and NAME.rc (exit status) in $S for the
# JUnit test to check. Usage: kernel-commands.sh REPO_ROOT SHARE_DIR
set -u
repo=$1 S=$2
klpfleet() { "$repo/bin/klpfleet" "$@"; }
run() { local name=$1; shift; "$@" >"$S/$name.out" 2>"$S/$name.err"; echo $? >"$S/$name.rc"; }
save() { local name=$1; shift; "$@" >"$S/$name.txt" 2>&1; }
T=/sys/kernel/tracing

# 1. A plain load changes /proc/cmdline; status and inspect agree with sysfs; unload restores it.
run status-before klpfleet kernel status --json
save cmdline-before cat /proc/cmdline
run inspect-cmdline klpfleet module inspect "$S/klpf_cmdline.ko" --json
run preflight-cmdline klpfleet kernel preflight "$S/klpf_cmdline.ko" --json
run load-cmdline klpfleet kernel load "$S/klpf_cmdline.ko" --json
save cmdline-patched cat /proc/cmdline
save tainted-patched cat /proc/sys/kernel/tainted
save sysfs-cmdline find /sys/kernel/livepatch -mindepth 1
run status-patched klpfleet kernel status --json
run status-patched-human klpfleet kernel status
run load-cmdline-again klpfleet kernel load "$S/klpf_cmdline.ko" --json
run unload-cmdline klpfleet kernel unload klpf_cmdline --json
save cmdline-after cat /proc/cmdline
save modules-after-unload grep -c '^klpf_' /proc/modules
run unload-missing klpfleet kernel unload klpf_cmdline --json

# 2. A kernel thread sleeping inside a replaced function stalls the transition.
insmod "$S/klpf_target.ko"
sleep 1
run load-stall klpfleet kernel load "$S/klpf_target_patch.ko" --stall-timeout 3s --json
save sysfs-after-stall ls /sys/kernel/livepatch
save modules-after-stall cut -d' ' -f1 /proc/modules
save target-after-stall cat /proc/klpf_target
#    ... and with --on-stall wait it stays in transition; blockers names the thread; unload reverses it.
run load-wait klpfleet kernel load "$S/klpf_target_patch.ko" --stall-timeout 2s --on-stall wait --json
save transition-waiting cat /sys/kernel/livepatch/klpf_target_patch/transition
run blockers klpfleet kernel blockers --json
run blockers-human klpfleet kernel blockers
run unload-waiting klpfleet kernel unload klpf_target_patch --json
save modules-after-unload-waiting cut -d' ' -f1 /proc/modules
#    ... and a patch whose reversal stalls too: klpf_napper switched at once and now sleeps in the
#    NEW klpf_target_nap, so it cannot switch back (klpfleet waits its reverse timeout, 5 s here).
run load-revert-stall klpfleet kernel load "$S/klpf_revert_stall.ko" --stall-timeout 2s --reverse-timeout 5s --json
save transition-revert-stall cat /sys/kernel/livepatch/klpf_revert_stall/transition
save enabled-revert-stall cat /sys/kernel/livepatch/klpf_revert_stall/enabled
save napper-state-revert-stall cat "/proc/$(pgrep -x klpf_napper)/patch_state"
echo 1 >/sys/module/klpf_revert_stall/parameters/release
# Released, the napper leaves the new function and the reversal completes: the patch is freed (bounded: 60 x 0.5 s).
for _ in $(seq 1 60); do [ -d /sys/kernel/livepatch/klpf_revert_stall ] || break; sleep 0.5; done
save sysfs-after-release ls /sys/kernel/livepatch
run unload-revert-stall klpfleet kernel unload klpf_revert_stall --json
save modules-after-revert-stall cut -d' ' -f1 /proc/modules
rmmod klpf_target

# 2b. A transient stall: klpf_sleeper stays in klpf_target_wait for 45 s only (sleep_ms; a TCG guest
#     on a loaded machine needs over 10 s to start the JVM and reach the transition), longer than
#     the stall timeout: the first attempt stalls and is reversed; once the sleeper's stack no longer
#     holds the function (bounded: 120 x 0.5 s), the same load applies.
insmod "$S/klpf_target.ko" sleep_ms=45000
sleep 1
run load-transient-1 klpfleet kernel load "$S/klpf_target_patch.ko" --stall-timeout 2s --json
sleeper=$(pgrep -x klpf_sleeper)
save sleeper-stack-between cat "/proc/$sleeper/stack"
for _ in $(seq 1 120); do grep -q klpf_target_wait "/proc/$sleeper/stack" || break; sleep 0.5; done
save sleeper-stack-after cat "/proc/$sleeper/stack"
run load-transient-2 klpfleet kernel load "$S/klpf_target_patch.ko" --stall-timeout 20s --json
run unload-transient klpfleet kernel unload klpf_target_patch --json
rmmod klpf_target

# 2c. Pinning off: insmod runs where the scheduler puts it, and the evidence says so. Then with
#     loopback traffic in the guest (a bash /dev/tcp sender into a listening nc), pinned again.
run load-unpinned klpfleet kernel load "$S/klpf_cmdline.ko" --no-pin-insmod --json
run unload-unpinned klpfleet kernel unload klpf_cmdline --json
ip link set lo up 2>/dev/null || busybox ip link set lo up 2>/dev/null
if command -v busybox >/dev/null && busybox nc 2>&1 | grep -q -- '-l'; then
  busybox nc -l -p 5999 >/dev/null 2>&1 & listener=$!
  sleep 0.5
  ( exec 3<>/dev/tcp/127.0.0.1/5999 && while :; do head -c 65536 /dev/zero >&3 || break; done ) 2>/dev/null & sender=$!
  sleep 1
  echo yes >"$S/net-load.txt"
else
  echo "no busybox nc in the guest" >"$S/net-load.txt"
fi
run load-pinned-netload klpfleet kernel load "$S/klpf_cmdline.ko" --json
save softirqs-netload cat /proc/softirqs
kill -9 "${sender:-}" "${listener:-}" 2>/dev/null
run unload-pinned-netload klpfleet kernel unload klpf_cmdline --json

# 3. Atomic replace: v1 then v2; v1 is gone, v2 active.
run load-v1 klpfleet kernel load "$S/klpf_replace_v1.ko" --json
save version-v1 cat /proc/version
run load-v2 klpfleet kernel load "$S/klpf_replace_v2.ko" --json
save version-v2 cat /proc/version
run status-replaced klpfleet kernel status --json
save modules-after-replace cut -d' ' -f1 /proc/modules
run unload-v2 klpfleet kernel unload klpf_replace_v2 --json
save version-after cat /proc/version

# 4. Refused loads leave nothing loaded.
run load-other-kernel klpfleet kernel load "$S/other/klpf_cmdline.ko" --json
head -c 3000 "$S/klpf_cmdline.ko" >/tmp/truncated.ko
run load-truncated klpfleet kernel load /tmp/truncated.ko --json
echo "this is not a kernel module" >/tmp/notelf.ko
run load-notelf klpfleet kernel load /tmp/notelf.ko --json
echo 0 >/proc/sys/kernel/ftrace_enabled
run load-ftrace-off klpfleet kernel load "$S/klpf_cmdline.ko" --json
echo 1 >/proc/sys/kernel/ftrace_enabled
save modules-after-refused cut -d' ' -f1 /proc/modules
save sysfs-after-refused ls /sys/kernel/livepatch

# 5. Preflight sees a kprobe and an ftrace user on the function the patch replaces.
echo 'p:klpfleet_probe cmdline_proc_show' >>$T/kprobe_events
echo 1 >$T/events/kprobes/klpfleet_probe/enable
run preflight-kprobe klpfleet kernel preflight "$S/klpf_cmdline.ko" --json
echo 0 >$T/events/kprobes/klpfleet_probe/enable
echo '-:klpfleet_probe' >>$T/kprobe_events
echo cmdline_proc_show >$T/set_ftrace_filter
echo function >$T/current_tracer
run preflight-ftrace klpfleet kernel preflight "$S/klpf_cmdline.ko" --json
echo nop >$T/current_tracer
echo >$T/set_ftrace_filter
exit 0
