# VmSmokeTest's guest script: the klpf_cmdline and klpf_target scenarios in one boot, each
# observation recorded as a file under /share/seen/ for the test to assert on.
set -u
ko=/share/ko
seen=/share/seen
lp=/sys/kernel/livepatch
mkdir -p "$seen"
record() { printf '%s\n' "$2" >"$seen/$1"; }
# Waits at most 30 s until patch $1's transition is over: its transition file reads 0, or its
# sysfs directory is gone (a disabled patch disappears once unpatched).
settle() {
  for _ in $(seq 1 60); do
    if [ ! -e "$lp/$1" ] || [ "$(cat "$lp/$1/transition")" = 0 ]; then return 0; fi
    sleep 0.5
  done
  return 1
}

record uname "$(uname -r)"

# klpf_cmdline: patch, check, disable, remove, check.
insmod "$ko/klpf_cmdline.ko"; record cmdline.insmod $?
settle klpf_cmdline; record cmdline.settled $?
record cmdline.transition "$(cat $lp/klpf_cmdline/transition)"
record cmdline.enabled "$(cat $lp/klpf_cmdline/enabled)"
record cmdline.proc "$(cat /proc/cmdline)"
echo 0 >$lp/klpf_cmdline/enabled; record cmdline.disable $?
settle klpf_cmdline; record cmdline.disable.settled $?
rmmod klpf_cmdline; record cmdline.rmmod $?
record cmdline.proc.after "$(cat /proc/cmdline)"

# klpf_target + klpf_target_patch: the transition stalls on klpf_sleeper, then is reversed.
insmod "$ko/klpf_target.ko"; record target.insmod $?
pid=$(pgrep -x klpf_sleeper); record target.sleeper.pid "$pid"
record target.proc "$(cat /proc/klpf_target)"
insmod "$ko/klpf_target_patch.ko"; record target_patch.insmod $?
# The kernel retries a transition about once a second; three seconds give it several chances.
sleep 3
record target_patch.transition "$(cat $lp/klpf_target_patch/transition)"
record target.sleeper.patch_state "$(cat /proc/$pid/patch_state)"
record target.sleeper.stack "$(cat /proc/$pid/stack)"
echo 0 >$lp/klpf_target_patch/enabled; record target_patch.disable $?
settle klpf_target_patch; record target_patch.disable.settled $?
rmmod klpf_target_patch; record target_patch.rmmod $?
rmmod klpf_target; record target.rmmod $?
record target.proc.after "$(if [ -e /proc/klpf_target ]; then echo present; else echo absent; fi)"
dmesg >"$seen/dmesg"
exit 0
