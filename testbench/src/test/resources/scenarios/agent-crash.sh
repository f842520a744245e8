#!/usr/bin/env bash
# Runs inside a real guest kernel, twice, with the agent's data directory on the writable share so it
# survives the guest. Phase "crash": a server on the guest's loopback rolls fix_cmdline out,
# `klpfleet agent --once` applies it for real, the server's database is copied to the share (the
# server stands for a machine that does not crash), and the kernel is crashed (sysrq c; the guest
# boots with panic=-1 and qemu -no-reboot, so qemu exits). Phase "after": the next boot, same
# agent data: the agent must report crash-suspected and not load fix_cmdline; the rollout halts;
# an operator clears the hold and the agent lifts it.
# Each step leaves NAME.out, NAME.err, NAME.rc in $S; saved files are NAME.txt.
# Usage: agent-crash.sh REPO_ROOT SHARE_DIR crash|after (SHARE_DIR holds fleet.pub and the build output out/)
set -u
repo=$1 S=$2 phase=$3
klpfleet() { "$repo/bin/klpfleet" "$@"; }
run() { local name=$1; shift; "$@" >"$S/$name.out" 2>"$S/$name.err"; echo $? >"$S/$name.rc"; }
save() { local name=$1; shift; "$@" >"$S/$name.txt" 2>&1; }
export KLPFLEET_ADMIN_TOKEN=vm-admin-token-0123456789abcdef0123456789
# TLS as in production: the server makes its own certificate in its data directory; every client here trusts that file.
export KLPFLEET_SERVER=https://127.0.0.1:18441 KLPFLEET_TOKEN=$KLPFLEET_ADMIN_TOKEN KLPFLEET_SERVER_CA=/tmp/srv/tls/server.crt
ip link set lo up 2>/dev/null || busybox ifconfig lo 127.0.0.1 up
api() { curl -sf -m 10 --cacert "$KLPFLEET_SERVER_CA" -H "Authorization: Bearer $KLPFLEET_TOKEN" -H 'Content-Type: application/json' "$@"; }
# Polls (bounded: 60 x 0.5 s) until the rollout's JSON contains $2.
await_rollout() { for _ in $(seq 1 60); do api "$KLPFLEET_SERVER/api/v1/rollouts/$1" | grep -q "$2" && return 0; sleep 0.5; done; return 1; }
start_server() {
  klpfleet server --data /tmp/srv --listen 127.0.0.1:18441 >>"$S/server-$phase.log" 2>&1 &
  server=$!
  for _ in $(seq 1 240); do curl -sf -m 2 --cacert "$KLPFLEET_SERVER_CA" "$KLPFLEET_SERVER/healthz" >/dev/null && break; sleep 0.5; done
}
agent=(klpfleet agent --server "$KLPFLEET_SERVER" --data "$S/agent" --public-key "$S/fleet.pub")

if [ "$phase" = crash ]; then
  mkdir -p /tmp/srv/keys && cp "$S/fleet.pub" /tmp/srv/keys/fleet.pub
  start_server
  save boot-id-crash cat /proc/sys/kernel/random/boot_id
  run upload klpfleet patch upload "$S/out" --json
  enroll=$(api -d '{"name":"vm-crash"}' "$KLPFLEET_SERVER/api/v1/enrollment-tokens" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  run agent-enroll "${agent[@]}" --enroll-token "$enroll" --once --json
  run rollout-create klpfleet rollout create --patch fix_cmdline --version 1 --waves 1 --max-concurrent 1 --json
  rollout=$(grep -o '"id" *: *"[^"]*"' "$S/rollout-create.out" | head -1 | sed 's/.*"\([^"]*\)"$/\1/')
  echo "$rollout" >"$S/rollout-id.txt"
  await_rollout "$rollout" DISPATCH; echo $? >"$S/dispatched.rc"
  run agent-apply "${agent[@]}" --once --json
  save cmdline-patched cat /proc/cmdline
  await_rollout "$rollout" '"applied":1'; echo $? >"$S/applied.rc"
  save state-before-crash cat "$S/agent/state.json"
  kill "$server"; wait "$server" 2>/dev/null
  cp -a /tmp/srv "$S/srv"
  sync
  echo c >/proc/sysrq-trigger
  sleep 30
  exit 1 # not reached: the kernel panicked
fi

cp -a "$S/srv" /tmp/srv
start_server
rollout=$(cat "$S/rollout-id.txt")
host=$(sed -n 's/.*"hostId" *: *"\([^"]*\)".*/\1/p' "$S/agent/state.json" | head -1)
save boot-id-after cat /proc/sys/kernel/random/boot_id
save cmdline-after-crash cat /proc/cmdline
run agent-after-crash "${agent[@]}" --once --json
# The server's events right away (WAL: readable while it runs), so the evidence survives a later timeout.
sqlite3 -json /tmp/srv/fleet.db "SELECT event_id, kind, patch_name, result, evidence_json FROM host_events ORDER BY received_at, event_id" \
  >"$S/server-events.out" 2>"$S/server-events.err"
save cmdline-after-agent cat /proc/cmdline
save sysfs-after-agent ls /sys/kernel/livepatch
save modules-after-agent cut -d' ' -f1 /proc/modules
await_rollout "$rollout" PAUSED; echo $? >"$S/halted.rc"
# curl, not the CLI, where the CLI adds nothing to prove: every JVM start is slow under TCG.
api "$KLPFLEET_SERVER/api/v1/rollouts/$rollout" >"$S/rollout-status.out" 2>"$S/rollout-status.err"
api "$KLPFLEET_SERVER/api/v1/hosts/$host/crash-holds" >"$S/crash-holds.out" 2>"$S/crash-holds.err"
run clear-crash klpfleet hosts clear-crash "$host" --patch fix_cmdline --reason "vm test: fix_cmdline did not cause it" --json
run agent-after-clear "${agent[@]}" --once --json
save state-after-clear cat "$S/agent/state.json"
api "$KLPFLEET_SERVER/api/v1/audit?limit=50" >"$S/audit.out" 2>"$S/audit.err"
kill "$server"; wait "$server" 2>/dev/null
exit 0
