#!/usr/bin/env bash
# Runs inside a real guest kernel: a whole control-plane round trip over the guest's own loopback.
# A server, an operator uploading a signed build and rolling it out, and `klpfleet agent --once`
# enrolling, applying it for real, then unloading it after a rollback; then a rollout whose
# transition stalls (klpf_target_patch over a running klpf_target) with the agent's --on-stall
# wait, and a bad taint the agent reports as a health event.
# Each step leaves NAME.out, NAME.err, NAME.rc in $S; saved files are NAME.txt.
# Usage: agent-rollout.sh REPO_ROOT SHARE_DIR (SHARE_DIR holds fleet.pub, the build outputs out/ and
# out-stall/, and klpf_target.ko)
set -u
repo=$1 S=$2
klpfleet() { "$repo/bin/klpfleet" "$@"; }
run() { local name=$1; shift; "$@" >"$S/$name.out" 2>"$S/$name.err"; echo $? >"$S/$name.rc"; }
save() { local name=$1; shift; "$@" >"$S/$name.txt" 2>&1; }
export KLPFLEET_ADMIN_TOKEN=vm-admin-token-0123456789abcdef0123456789
# TLS as in production: the server makes its own certificate in its data directory; every client here trusts that file.
export KLPFLEET_SERVER=https://127.0.0.1:18440 KLPFLEET_TOKEN=$KLPFLEET_ADMIN_TOKEN KLPFLEET_SERVER_CA=/tmp/srv/tls/server.crt
# The guest boots with lo down; the server and every client here talk over it.
ip link set lo up 2>/dev/null || busybox ifconfig lo 127.0.0.1 up
api() { curl -sf -m 10 --cacert "$KLPFLEET_SERVER_CA" -H "Authorization: Bearer $KLPFLEET_TOKEN" -H 'Content-Type: application/json' "$@"; }
# Polls (bounded: 60 x 0.5 s) until the rollout's JSON contains $2.
await_rollout() { for _ in $(seq 1 60); do api "$KLPFLEET_SERVER/api/v1/rollouts/$1" | grep -q "$2" && return 0; sleep 0.5; done; return 1; }

mkdir -p /tmp/srv/keys && cp "$S/fleet.pub" /tmp/srv/keys/fleet.pub
klpfleet server --data /tmp/srv --listen 127.0.0.1:18440 >"$S/server.log" 2>&1 &
server=$!
for _ in $(seq 1 240); do curl -sf -m 2 --cacert "$KLPFLEET_SERVER_CA" "$KLPFLEET_SERVER/healthz" >/dev/null && break; sleep 0.5; done

save loopback ip addr show lo
save cmdline-before cat /proc/cmdline
run upload klpfleet patch upload "$S/out" --json
enroll=$(api -d '{"name":"vm-guest"}' "$KLPFLEET_SERVER/api/v1/enrollment-tokens" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
agent=(klpfleet agent --server "$KLPFLEET_SERVER" --data /tmp/agent --public-key "$S/fleet.pub")

run agent-enroll "${agent[@]}" --enroll-token "$enroll" --labels tier=canary --once --json
run rollout-create klpfleet rollout create --patch fix_cmdline --version 1 --waves 1 --max-concurrent 1 --json
rollout=$(grep -o '"id" *: *"[^"]*"' "$S/rollout-create.out" | head -1 | sed 's/.*"\([^"]*\)"$/\1/')
await_rollout "$rollout" DISPATCH; echo $? >"$S/dispatched.rc"

run agent-apply "${agent[@]}" --once --json
save cmdline-patched cat /proc/cmdline
save sysfs-patched ls /sys/kernel/livepatch
run agent-apply-again "${agent[@]}" --once
await_rollout "$rollout" '"applied":1'; echo $? >"$S/applied.rc"

run rollback klpfleet rollout rollback "$rollout" --reason "vm test rollback" --json
run agent-unload "${agent[@]}" --once --json
save cmdline-after cat /proc/cmdline
save sysfs-after ls /sys/kernel/livepatch
save modules-after cut -d' ' -f1 /proc/modules
await_rollout "$rollout" '"rolledBack":1'; echo $? >"$S/rolled-back.rc"
run rollout-status klpfleet rollout status "$rollout" --json
run hosts klpfleet hosts list --json
save agent-state cat /tmp/agent/state.json

# 2. A stalled transition through the agent: klpf_sleeper sleeps in the function the patch replaces.
insmod "$S/klpf_target.ko"
run upload-stall klpfleet patch upload "$S/out-stall" --json
run rollout-stall-create klpfleet rollout create --patch klpf_target_patch --version 1 --waves 1 --max-concurrent 1 --json
rollout2=$(grep -o '"id" *: *"[^"]*"' "$S/rollout-stall-create.out" | head -1 | sed 's/.*"\([^"]*\)"$/\1/')
await_rollout "$rollout2" DISPATCH; echo $? >"$S/stall-dispatched.rc"
# With --on-stall wait the transition stays, and --once keeps passing (5 s apart) while it runs:
# it runs in the background until the transition is ended from outside below.
"${agent[@]}" --stall-timeout 2s --on-stall wait --once --json >"$S/agent-stall.out" 2>"$S/agent-stall.err" &
agent_pid=$!
# Bounded (120 x 0.5 s): until the server has recorded the agent's event.
for _ in $(seq 1 120); do
  [ "$(sqlite3 /tmp/srv/fleet.db "SELECT count(*) FROM host_events WHERE result = 'stalled-waiting'" 2>/dev/null)" = 1 ] && break
  sleep 0.5
done
save transition-agent-stall cat /sys/kernel/livepatch/klpf_target_patch/transition
run unload-agent-stall klpfleet kernel unload klpf_target_patch --json
# Bounded: a watchdog ends the agent if it has not finished 90 s after the transition ended.
( sleep 90; kill "$agent_pid" 2>/dev/null ) & watchdog=$!
wait "$agent_pid"; echo $? >"$S/agent-stall.rc"
kill "$watchdog" 2>/dev/null
rmmod klpf_target

# 3. A bad taint flag (W, bit 9: writing to kernel.tainted can only add flags) becomes the agent's health event.
echo 512 >/proc/sys/kernel/tainted
run agent-taint "${agent[@]}" --once --json

kill "$server"; wait "$server" 2>/dev/null
sqlite3 -json /tmp/srv/fleet.db "SELECT event_id, kind, patch_name, result, evidence_json FROM host_events ORDER BY received_at, event_id" \
  >"$S/server-events.out" 2>"$S/server-events.err"
exit 0
