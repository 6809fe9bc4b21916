#!/bin/bash
# crm_launcherd_test: crm-launcherd with dummy daemons (shell scripts).
#  - starts the listed daemons in order, skips a missing one with a warning
#  - nice.NAME sets that daemon's nice value
#  - a daemon killed by PID (SIGKILL) is respawned with a new PID
#  - a daemon that keeps crashing is given up after max_restarts
#  - SIGTERM stops the daemons in reverse order, waiting for a slow crmd, and exits 0
#  - a daemon exiting with 100 (CRM_EX_FATAL) is not respawned and the launcher
#    stops the others and exits (a node fenced while it runs stays out)
# Usage: launcher_test.sh PATH/TO/crm-launcherd
set -euo pipefail
LAUNCHER=${1:?usage: $0 crm-launcherd}
# As the peer's pacemakerd (installed under that name too): the version on the first line.
version=$("$LAUNCHER" --version)
[ "${version%%$'\n'*}" = "Pacemaker 2.1.5" ] || { echo "FAIL: --version: $version"; exit 1; }
T=$(mktemp -d /tmp/crm-launcherd-test.XXXXXX)
LPID=
cleanup() {
    local rc=$?
    [ -n "$LPID" ] && kill -KILL "$LPID" 2>/dev/null || true
    for f in "$T"/*.pid; do [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null || true; done
    if [ $rc -ne 0 ]; then echo "---- launcher log ----"; cat "$T/launcher.log" 2>/dev/null; echo "FAIL (kept $T)"; else rm -rf "$T"; fi
    exit $rc
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
wait_for() {  # wait_for SECONDS CMD...
    local n=$(( $1 * 20 )); shift
    until "$@"; do n=$((n - 1)); [ $n -gt 0 ] || return 1; sleep 0.05; done
}

# A dummy daemon: records its PID, logs start/stop to $T/events; crmd takes
# 1 s to stop (as if moving resources away).
cat > "$T/dummy" <<'DUMMY'
#!/bin/bash
name=$(basename "$0"); dir=$(dirname "$0")
echo $$ > "$dir/$name.pid"
echo "start $name" >> "$dir/events"
stop() { [ "$name" = crmd ] && sleep 1; echo "stop $name" >> "$dir/events"; rm -f "$dir/$name.pid"; exit 0; }
trap stop TERM
while :; do sleep 0.1 & wait $!; done
DUMMY
chmod +x "$T/dummy"
for n in cibd lrmd crmd; do cp "$T/dummy" "$T/$n"; done
printf '#!/bin/sh\necho "start flaky" >> "$(dirname "$0")/events"\nexit 3\n' > "$T/flaky"
chmod +x "$T/flaky"

cat > "$T/launcher.conf" <<CONF
daemons = cibd ghost lrmd crmd flaky
bin_dir = $T
log_file = $T/launcher.log
max_restarts = 2
restart_window = 30
restart_delay_ms = 100
start_delay_ms = 50
stop_timeout = 5
shutdown_timeout = 10
CONF

"$LAUNCHER" --config "$T/launcher.conf" 2>"$T/stderr.log" &
LPID=$!
have_pids() { [ -f "$T/cibd.pid" ] && [ -f "$T/lrmd.pid" ] && [ -f "$T/crmd.pid" ]; }
wait_for 10 have_pids || fail "daemons did not all start"
[ "$(grep start "$T/events" | head -3 | tr '\n' ' ')" = "start cibd start lrmd start crmd " ] || fail "start order: $(cat "$T/events")"
grep -q "ghost: .* missing or not executable; skipped" "$T/launcher.log" || fail "no warning for the missing daemon"
grep -q "ghost" "$T/stderr.log" || fail "nothing logged on stderr"
echo "ok: started cibd, lrmd, crmd in order; ghost skipped with a warning"

old=$(cat "$T/lrmd.pid")
kill -KILL "$old"
respawned() { [ -f "$T/lrmd.pid" ] && [ "$(cat "$T/lrmd.pid")" != "$old" ] && kill -0 "$(cat "$T/lrmd.pid")" 2>/dev/null; }
wait_for 10 respawned || fail "lrmd was not respawned after kill -9 of pid $old"
grep -q "lrmd (pid $old) was killed by signal 9" "$T/launcher.log" || fail "crash not logged"
echo "ok: lrmd killed by PID ($old) respawned as $(cat "$T/lrmd.pid")"

gave_up() { grep -q "giving up on flaky" "$T/launcher.log"; }
wait_for 10 gave_up || fail "did not give up on the crash-looping daemon"
[ "$(grep -c 'start flaky' "$T/events")" = 3 ] || fail "flaky started $(grep -c 'start flaky' "$T/events") times, want 3"
echo "ok: gave up on flaky after 3 starts (max_restarts = 2)"

t0=$(date +%s%N)
kill -TERM "$LPID"
wait "$LPID" || fail "launcher exited with $?"
LPID=
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
order=$(grep '^stop' "$T/events" | tr '\n' ' ')
[ "$order" = "stop crmd stop lrmd stop cibd " ] || fail "stop order: $order"
[ "$ms" -ge 1000 ] || fail "did not wait for crmd's slow stop ($ms ms)"
echo "ok: SIGTERM stopped crmd (1 s), lrmd, cibd in reverse order in $ms ms; exit 0"

# A fatal exit: crmd exits 100 (fence-reaction=stop) when it finds a file.
: > "$T/events"
cat > "$T/crmd" <<'FATAL'
#!/bin/bash
dir=$(dirname "$0"); echo $$ > "$dir/crmd.pid"; echo "start crmd" >> "$dir/events"
trap 'echo "stop crmd" >> "$dir/events"; exit 0' TERM
while [ ! -e "$dir/fenced-while-running" ]; do sleep 0.1 & wait $!; done
echo "fatal crmd" >> "$dir/events"; rm -f "$dir/crmd.pid"; exit 100
FATAL
chmod +x "$T/crmd"
sed -i 's/^daemons = .*/daemons = cibd lrmd crmd/' "$T/launcher.conf"
"$LAUNCHER" --config "$T/launcher.conf" 2>>"$T/stderr.log" &
LPID=$!
wait_for 10 have_pids || fail "daemons did not start the second time"
touch "$T/fenced-while-running"
gone() { ! kill -0 "$LPID" 2>/dev/null; }
wait_for 15 gone || fail "the launcher kept running after crmd's fatal exit"
wait "$LPID" || true
LPID=
[ "$(grep -c 'start crmd' "$T/events")" = 1 ] || fail "crmd was respawned after exit 100: $(cat "$T/events")"
[ "$(grep '^stop' "$T/events" | tr '\n' ' ')" = "stop lrmd stop cibd " ] || fail "after the fatal exit: $(cat "$T/events")"
grep -q "a fatal exit (100), not respawning it" "$T/launcher.log" || fail "fatal exit not logged"
echo "ok: crmd's exit 100 was not respawned; lrmd and cibd stopped; the launcher exited"
# nice.NAME: on a launcher of its own (a niced daemon may start late on a
# loaded machine, which the start-order check above must not depend on).
rm -f "$T"/*.pid
printf 'daemons = cibd lrmd\nbin_dir = %s\nlog_file = %s/launcher.log\nnice.lrmd = 7\n' "$T" "$T" > "$T/nice.conf"
"$LAUNCHER" --config "$T/nice.conf" 2>>"$T/stderr.log" &
LPID=$!
two_pids() { [ -f "$T/cibd.pid" ] && [ -f "$T/lrmd.pid" ]; }
wait_for 10 two_pids || fail "daemons did not start with nice.lrmd"
[ "$(ps -o ni= -p "$(cat "$T/lrmd.pid")" | tr -d ' ')" = 7 ] || fail "lrmd runs at nice $(ps -o ni= -p "$(cat "$T/lrmd.pid")"), want 7"
[ "$(ps -o ni= -p "$(cat "$T/cibd.pid")" | tr -d ' ')" = "$(ps -o ni= -p $$ | tr -d ' ')" ] || fail "cibd's nice changed"
kill -TERM "$LPID"; wait "$LPID" || fail "launcher exited with $? after SIGTERM"
LPID=
echo "ok: nice.lrmd = 7 applied to lrmd only"
echo PASS
