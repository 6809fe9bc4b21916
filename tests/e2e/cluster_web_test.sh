#!/bin/bash
# e2e (issue 14, must-show 3): crm_web's dashboard in a real headless browser
# (Debian's chromium, driven by playwright-core) against a 3-node lab cluster
# with stonith-enabled=true.
#  - crm_web runs on node W, bound to 127.0.0.1:8088 (the default); the
#    browser runs on W too (the node's network namespace). A connection to
#    W's lab address from another node is refused.
#  - The page shows the nodes and the resource; after a move (crm_resource
#    --move) and after the node running it is killed (kill -9, fenced), the page
#    changes by itself: no reload, no polling (server-sent events). The lag
#    behind crm_mon is printed; the test fails only if nothing changes within
#    15 s. Screenshots are kept in $WEB_ARTIFACTS (default ./e2e_cluster_web).
#  - A second crm_web with --token: no token or a wrong one gets 401, the
#    right one 200; any method but GET gets 405.
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
need_lab_fencing
PW=/usr/local/lib/crm-web-test/node_modules
[ -d "$PW/playwright-core" ] || e2e_skip "playwright-core not installed (scripts/setup.sh)"
[ -x /usr/bin/chromium ] || e2e_skip "chromium not installed (scripts/setup.sh)"
command -v node >/dev/null || e2e_skip "node not installed (scripts/setup.sh)"
[ -x "${CRM_BIN_DIR:-}/crm_web" ] || e2e_skip "no crm_web in CRM_BIN_DIR"
cluster_begin web 3
NODES="1 2 3"
ART=${WEB_ARTIFACTS:-$PWD/e2e_cluster_web}
rm -rf "$ART" && mkdir -p "$ART"
OUT=$LAB_ROOT/web
mkdir -p "$OUT"

dc=$(wait_one_dc 3 60) || e2e_fail "no single DC"
configure_fenced_services "$dc" || e2e_fail "fencing, stonith-enabled or stickiness refused"
cib_do "$dc" -C -o resources -X "$(ocf_primitive app heartbeat Dummy)" || e2e_fail "resource refused"
app_started() { [ -n "$(dummy_nodes app "$NODES")" ]; }
wait_until 60 app_started || e2e_fail "app did not start"
A=$(dummy_nodes app "$NODES")
[ "$(echo "$A" | wc -w)" = 1 ] || e2e_fail "app runs on [$A]"
W=$(echo $NODES | tr ' ' '\n' | grep -vx "$A" | head -1)   # the dashboard's node: never killed here
B=$(echo $NODES | tr ' ' '\n' | grep -vx "$A" | grep -vx "$W")  # where app is moved, then killed
e2e_note "app on n$A; dashboard and browser on n$W; app moved to n$B, then n$B killed"

web_pids=()
start_web() {  # start_web PORT [ARGS...]
    local port=$1; shift
    ( exec setsid "$LAB/lab-exec.sh" "$W" "$CLUSTER_BIN/crm_web" --listen "127.0.0.1:$port" "$@" ) >> "$OUT/crm_web.$port.log" 2>&1 &
    web_pids+=($!)
}
e2e_on_end() { local p; for p in "${web_pids[@]}"; do kill "$p" 2>/dev/null; done; cp -a "$OUT"/*.png "$OUT/changes" "$ART/" 2>/dev/null || true; }
start_web 8088
start_web 8089 --token "lab-$$"
code() { ( node_exec "$W" curl -s -o /dev/null -w '%{http_code}' "$@" ) 2>/dev/null || true; }
web_up() { [ "$(code http://127.0.0.1:8088/)" = 200 ]; }
wait_until 20 web_up || e2e_fail "crm_web does not answer on n$W: $(cat "$OUT"/crm_web.8088.log)"

# ---- the HTTP rules -------------------------------------------------------------
[ "$(code -X POST http://127.0.0.1:8088/)" = 405 ] || e2e_fail "POST is not refused with 405"
[ "$(code -X DELETE http://127.0.0.1:8088/view.json)" = 405 ] || e2e_fail "DELETE is not refused with 405"
[ "$(code http://127.0.0.1:8089/)" = 401 ] || e2e_fail "no token: not 401"
[ "$(code "http://127.0.0.1:8089/?token=wrong")" = 401 ] || e2e_fail "a wrong token: not 401"
[ "$(code -H "Authorization: Bearer wrong" http://127.0.0.1:8089/view.json)" = 401 ] || e2e_fail "a wrong bearer token: not 401"
[ "$(code "http://127.0.0.1:8089/?token=lab-$$")" = 200 ] || e2e_fail "the right token: not 200"
[ "$(code -H "Authorization: Bearer lab-$$" http://127.0.0.1:8089/view.json)" = 200 ] || e2e_fail "the right bearer token: not 200"
other=$A
rc=0; ( node_exec "$other" curl -s -o /dev/null --max-time 3 "http://$(node_ip "$W"):8088/" ) 2>/dev/null || rc=$?
[ "$rc" = 7 ] || e2e_fail "a connection from n$other to n$W's address was not refused (curl exit $rc)"
e2e_note "405 for POST and DELETE; 401 without or with a wrong token, 200 with it; n$other -> $(node_ip "$W"):8088 refused"
for p in cluster constraints transition; do
    [ "$(code "http://127.0.0.1:8088/$p.svg")" = 200 ] || e2e_fail "/$p.svg does not answer 200"
done

# ---- the browser ------------------------------------------------------------------
( node_exec "$W" env NODE_PATH="$PW" URL=http://127.0.0.1:8088/ OUT="$OUT" node "$E2E_DIR/web/dashboard.js" ) \
    > "$OUT/browser.log" 2>&1 &
browser=$!
wait_until 60 test -e "$OUT/ready" || e2e_fail "the page did not show the cluster: $(cat "$OUT/browser.log" "$OUT/changes" 2>/dev/null)"
grep -q "^[0-9]* rsc app n$A\$" "$OUT/changes" || e2e_fail "the page does not show app on n$A: $(cat "$OUT/changes")"
for k in $NODES; do grep -q "^[0-9]* node n$k online\$" "$OUT/changes" || e2e_fail "the page does not show n$k online"; done
e2e_note "the page shows 3 nodes online and app on n$A"

now_ms() { date +%s%3N; }
mon_shows() { ( node_exec "$W" "$CLUSTER_BIN/crm_mon" -1 ) 2>/dev/null | matches -E "$1"; }
# page_change PATTERN SINCE — the first time (ms) the page showed PATTERN after SINCE.
page_change() { awk -v s="$2" -v p="$1" '$1 >= s && $0 ~ p {print $1; exit}' "$OUT/changes"; }
lag_note() {  # lag_note WHAT PATTERN MON_PATTERN SINCE
    local what=$1 pat=$2 mon=$3 since=$4 t_page t_mon=
    local end=$(( $(date +%s) + 15 ))
    while [ "$(date +%s)" -lt "$end" ]; do
        [ -z "$t_mon" ] && mon_shows "$mon" && t_mon=$(now_ms)
        t_page=$(page_change "$pat" "$since")
        [ -n "$t_page" ] && [ -n "$t_mon" ] && break
        sleep 0.1
    done
    [ -n "$t_page" ] || e2e_fail "the page did not change by itself within 15 s after $what: $(tail -5 "$OUT/changes")"
    [ -n "$t_mon" ] || t_mon=$t_page
    e2e_note "$what: the page changed $((t_page - since)) ms after it, $((t_page - t_mon)) ms after crm_mon showed it"
}
t0=$(now_ms)
( node_exec "$W" "$CLUSTER_BIN/crm_resource" --move -r app -N "n$B" ) >/dev/null 2>&1 || e2e_fail "crm_resource --move refused"
lag_note "the move to n$B" "rsc app n$B\$" "app.*Started n$B" "$t0"

t1=$(now_ms)
"$LAB/kill-node.sh" "$B" >/dev/null || e2e_fail "kill-node.sh $B failed"
lag_note "the kill of n$B (its state)" "node n$B (offline|unclean)" "OFFLINE.*n$B|n$B.*(OFFLINE|UNCLEAN)" "$t1"
lag_note "the kill of n$B (app elsewhere)" "rsc app n[$A$W]\$" "app.*Started n[$A$W]" "$t1"

touch "$OUT/done"
wait "$browser" || e2e_fail "the browser script failed: $(cat "$OUT/browser.log"; tail -3 "$OUT/changes")"
grep -q "^[0-9]* navigations 1\$" "$OUT/changes" || e2e_fail "the page was reloaded: $(grep navigations "$OUT/changes")"
e2e_note "one page load for the whole test ($(grep -o 'updates [0-9]*' "$OUT/changes") updates pushed); a click showed the explanation"
ls "$OUT"/*.png > /dev/null 2>&1 || e2e_fail "no screenshots"
cp -a "$OUT"/*.png "$OUT/changes" "$ART/"
e2e_note "screenshots: $(cd "$ART" && ls ./*.png | tr '\n' ' ')in $ART"
cluster_end
echo PASS
