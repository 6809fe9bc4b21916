#!/bin/bash
# e2e (must-show 5) on 3 lab nodes with the whole stack:
#   - CIB changes acknowledged (cibadmin exit 0) before kill -9 of the DC node
#     are present after the cluster re-formed, on the survivors and, after it
#     rejoined, on the old DC. Two writers: a loop on the DC itself that is
#     killed right after its last acknowledged change, and a loop on another
#     node that keeps writing through the kill (failed calls allowed; every
#     acknowledged value must survive, i.e. the final value is >= the last
#     one acknowledged before the kill).
#   - schema-invalid changes are refused (non-zero exit) and change nothing:
#     same epoch and configuration on every node before and after.
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
cluster_begin cdur 3
NODES="1 2 3"

nv_value() {  # nv_value K ID
    cib "$1" | xmllint --xpath "string(//nvpair[@id='$2']/@value)" - 2>/dev/null
}
config_id() {
    local c; c=$(cib "$1") || return 1
    echo "$(echo "$c" | sed -n 's/.*<cib [^>]* epoch="\([0-9]*\)".*/\1/p' | head -1) $(echo "$c" | xmllint --xpath '/cib/configuration' - 2>/dev/null | md5sum | cut -c1-12)"
}
set_nv() {  # set_nv K ID VALUE
    cib_do "$1" -M -c -o crm_config -X "<crm_config><cluster_property_set id=\"e2e-durability\"><nvpair id=\"$2\" name=\"$2\" value=\"$3\"/></cluster_property_set></crm_config>"
}

dc=$(wait_one_dc 3 60) || e2e_fail "no single DC"
other=$(( dc % 3 + 1 )); third=$(( other % 3 + 1 ))
e2e_note "DC is n$dc; background writer on n$other"
set_nv 1 e2e-init 1 >/dev/null || e2e_fail "first change refused"

# Background writer on a non-DC node: logs every acknowledged value with its time.
ACKS=$LAB_ROOT/acks.log; : > "$ACKS"
(
    i=0
    while [ ! -e "$LAB_ROOT/stop-writer" ] && [ $i -lt 2000 ]; do
        i=$((i + 1))
        if set_nv "$other" e2e-bg "$i" >/dev/null 2>&1; then echo "$(date +%s.%N) $i" >> "$ACKS"; fi
    done
) &
writer=$!
wait_until 20 test -s "$ACKS" || e2e_fail "background writer on n$other got no acknowledgement"

# Writer on the DC: 20 acknowledged changes, then the DC dies at once.
for i in $(seq 1 20); do set_nv "$dc" e2e-dc "$i" >/dev/null || e2e_fail "change $i on the DC refused"; done
kill_ts=$("$LAB/kill-node.sh" "$dc" | sed -n 's/^KILL_TS=//p')
bg_before=$(awk -v k="$kill_ts" '$1 < k { v = $2 } END { print v + 0 }' "$ACKS")
e2e_note "killed the DC n$dc right after its 20th acknowledged change; n$other's last ack before the kill: $bg_before"

survivors="$other $third"
ndc=$(wait_one_dc 3 60 "$survivors") || e2e_fail "survivors did not agree on a new DC"
e2e_note "new DC n$ndc after $(ms_since "$kill_ts") ms"
sleep 3
touch "$LAB_ROOT/stop-writer"; wait "$writer" || true
bg_last=$(tail -1 "$ACKS" | cut -d' ' -f2)
e2e_note "background writer: $(wc -l < "$ACKS") acknowledged changes, last $bg_last"
for k in $survivors; do
    v=$(nv_value "$k" e2e-dc); [ "$v" = 20 ] || e2e_fail "n$k: e2e-dc is '$v' after the DC's death, acknowledged 20"
    v=$(nv_value "$k" e2e-bg)
    [ -n "$v" ] && [ "$v" -ge "$bg_before" ] || e2e_fail "n$k: e2e-bg is '$v', but $bg_before was acknowledged before the kill"
done
same_bg() { [ "$(nv_value "$other" e2e-bg)" = "$bg_last" ] && [ "$(nv_value "$third" e2e-bg)" = "$bg_last" ]; }
wait_until 20 same_bg || e2e_fail "survivors do not both hold the last acknowledged e2e-bg=$bg_last ($(nv_value "$other" e2e-bg), $(nv_value "$third" e2e-bg))"
e2e_note "survivors hold e2e-dc=20 and e2e-bg=$bg_last (every acknowledged change)"

"$LAB/node-start.sh" "$dc" >/dev/null
wait_one_dc 3 60 >/dev/null || e2e_fail "n$dc did not rejoin"
back() { [ "$(nv_value "$dc" e2e-dc)" = 20 ] && [ "$(nv_value "$dc" e2e-bg)" = "$bg_last" ]; }
wait_until 30 back || e2e_fail "old DC n$dc rejoined without the acknowledged changes (e2e-dc=$(nv_value "$dc" e2e-dc), e2e-bg=$(nv_value "$dc" e2e-bg))"
e2e_note "old DC n$dc rejoined and holds both values"

# ---- schema-invalid changes are refused and change nothing ---------------------
same_all() { local a b c; a=$(config_id 1) && b=$(config_id 2) && c=$(config_id 3) && [ "$a" = "$b" ] && [ "$b" = "$c" ]; }
wait_until 30 same_all || e2e_fail "configurations differ before the invalid changes"
before=$(config_id 1)
try_invalid() {  # try_invalid K WHAT ARGS...
    local k=$1 what=$2; shift 2
    if out=$(cib_do "$k" "$@" 2>&1); then e2e_fail "n$k accepted $what"; fi
    e2e_note "n$k refused $what: $(echo "$out" | head -1)"
}
try_invalid 1 "a primitive with an unknown class" -C -o resources -X '<primitive id="bad1" class="nosuchclass" type="Dummy"/>'
try_invalid 2 "an unknown element in resources" -C -o resources -X '<frobnicator id="bad2"/>'
try_invalid "$dc" "a constraint without its required attributes" -C -o constraints -X '<rsc_order id="bad3"/>'
try_invalid 3 "a constraints-section replace with an invalid score" -R -o constraints -X '<constraints><rsc_location id="bad4" rsc="x" node="n1" score="very-high"/></constraints>'
sleep 2
for k in $NODES; do
    [ "$(config_id "$k")" = "$before" ] || e2e_fail "n$k: configuration changed by refused changes ($before -> $(config_id "$k"))"
done
e2e_note "configuration unchanged on every node ($before)"
echo PASS
