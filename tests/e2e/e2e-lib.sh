# shellcheck shell=bash
# e2e-lib.sh — helpers for the corosync-level e2e tests (sourced).
# A test calls e2e_begin NAME N [lab-up options]: it skips (exit 77) without
# root, corosync or the probe, builds its own lab LAB_NAME=<prefix><NAME>, and
# registers a trap that tears the lab down however the test ends (logs are
# kept under $LAB_ROOT when the test failed, or always with E2E_KEEP_LOGS=1),
# then runs the test's e2e_on_end when it defines one.
set -euo pipefail
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=$E2E_DIR/lab

e2e_skip() { echo "SKIP: $*"; exit 77; }
e2e_fail() { echo "FAIL: $*" >&2; exit 1; }
e2e_note() { echo "[$(date +%T.%3N)] $*"; }

e2e_begin() {
    local name=$1 n=$2; shift 2
    [ "$(id -u)" = 0 ] || e2e_skip "needs root (network namespaces)"
    command -v corosync >/dev/null || e2e_skip "corosync not installed"
    [ -x "${CPG_PROBE:-}" ] || e2e_skip "CPG_PROBE not set to the built cpg_probe"
    export LAB_NAME="${LAB_NAME:-e2e}${name}"
    . "$LAB/lab-common.sh"
    trap e2e_end EXIT
    e2e_note "lab $LAB_NAME: $n nodes"
    "$LAB/lab-up.sh" "$n" --no-daemons "$@"
}

e2e_end() {
    local rc=$?
    if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
        echo "---- test failed (rc=$rc); logs kept in $LAB_ROOT ----" >&2
        for f in "$LAB_ROOT"/n*/*.log; do [ -f "$f" ] && { echo "== $f (tail)"; tail -n 15 "$f"; } >&2; done
        "$LAB/lab-down.sh" >/dev/null 2>&1 || true
    elif [ "${E2E_KEEP_LOGS:-0}" = 1 ]; then
        "$LAB/lab-down.sh" >/dev/null 2>&1 || true
    else
        "$LAB/lab-down.sh" --purge >/dev/null 2>&1 || true
    fi
    # A test's own cleanup after the lab is down (define e2e_on_end).
    if declare -F e2e_on_end >/dev/null; then e2e_on_end || true; fi
    exit $rc
}

# probe_start K NAME [cpg_probe args] — runs the probe on node K in the
# background; output $LAB_ROOT/nK/NAME.log, PID in NAME.pid.
probe_start() {
    local k=$1 name=$2; shift 2
    local d; d=$(node_dir "$k")
    setsid "$LAB/lab-exec.sh" "$k" "$CPG_PROBE" "$@" >"$d/$name.log" 2>&1 </dev/null &
    echo $! > "$d/$name.pid"
}
probe_log() { echo "$(node_dir "$1")/$2.log"; }
probe_pid() { cat "$(node_dir "$1")/$2.pid"; }

# probe_wait K NAME REGEX SECONDS — waits for a line matching REGEX.
probe_wait() {
    local log; log=$(probe_log "$1" "$2")
    wait_until "$4" grep -qE "$3" "$log" || e2e_fail "n$1/$2: no line matching '$3' within $4 s"
}

# probe_lines K NAME — the probe log's current line count (a mark for
# probe_wait_after, so old lines cannot satisfy a wait for a new event).
probe_lines() { wc -l < "$(probe_log "$1" "$2")"; }

# probe_wait_after K NAME MARK REGEX SECONDS — waits for a line matching REGEX
# after line MARK.
probe_wait_after() {
    local log; log=$(probe_log "$1" "$2")
    wait_until "$5" sh -c 'tail -n +"$(($1 + 1))" "$2" | grep -qE "$3"' _ "$3" "$log" "$4" \
        || e2e_fail "n$1/$2: no new line matching '$4' within $5 s"
}

# probe_exit K NAME SECONDS — waits for the probe to exit; returns its exit
# status as recorded by its EXIT line (0) or fails when it is still running.
probe_wait_exit() {
    local pid; pid=$(probe_pid "$1" "$2")
    wait_gone "$pid" "$3" || e2e_fail "n$1/$2 (pid $pid) still running after $3 s"
}
