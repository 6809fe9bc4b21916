#!/bin/bash
# e2e (issue 16, must-show 2): alert agents receive the events of a failover,
# on 3 lab nodes with real corosync and stonith-enabled=true (fence_ipmilan,
# stonith-action=off). Three alerts in the CIB's <alerts> section:
#   * "file": the peer's alert_file.sh.sample, byte for byte, writing to one
#     log every node appends to (its recipient);
#   * "rec": a recorder that keeps each event's CRM_alert_* environment, and
#     the node that sent it, in a file of its own;
#   * "attrs": the recorder again, selecting only the attribute "site";
#   * "kn": agents/alerts/keepalived_notify, as crm_import writes it for a
#     keepalived instance's notify scripts (MASTER where the group came up,
#     BACKUP where it went down).
# Group web (IPaddr2 + Dummy) runs on n2; it is moved to n3 (stop on n2,
# start on n3); n3 is killed (kill -9 of every process): the survivors send
# "lost" for n3, the fencing of n3, and the start of the group elsewhere.
# Every event carries exactly the peer's variables for its kind.
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
need_lab_fencing
SAMPLE=/usr/share/pacemaker/alerts/alert_file.sh.sample
[ -r "$SAMPLE" ] || e2e_skip "the peer's alert samples are not installed ($SAMPLE)"
cluster_begin alr 3
NODES="1 2 3"
VIP=${LAB_SUBNET}.100
dc=$(wait_one_dc 3 60) || e2e_fail "no single DC"

A=$LAB_ROOT/alerts
mkdir -p "$A/events" "$A/attr-events"
cp "$SAMPLE" "$A/alert_file.sh"
chmod 0755 "$A/alert_file.sh"
cat > "$A/record.sh" <<'EOF'
#!/bin/sh
# One file per event: the sender's address, then its CRM_alert_* variables.
f=$CRM_alert_recipient/$(date +%s%N).$$
{ echo "from=$(ip -o -4 addr show dev eth0 | awk '{print $4}' | head -1)"; env | grep '^CRM_alert_' | sort; } > "$f.tmp"
mv "$f.tmp" "$f"
EOF
chmod 0755 "$A/record.sh"
cat > "$A/notify.sh" <<'EOF'
#!/bin/sh
echo "$* on $(ip -o -4 addr show dev eth0 | awk '{print $4}' | head -1)" >> "$(dirname "$0")/notify.log"
EOF
chmod 0755 "$A/notify.sh"
KN=$(cd "$(dirname "$0")/../../agents/alerts" && pwd)/keepalived_notify
LOG=$A/alerts.log
alerts="<alerts>
 <alert id=\"file\" path=\"$A/alert_file.sh\"><recipient id=\"file-log\" value=\"$LOG\"/></alert>
 <alert id=\"rec\" path=\"$A/record.sh\"><recipient id=\"rec-dir\" value=\"$A/events\"/></alert>
 <alert id=\"attrs\" path=\"$A/record.sh\"><select><select_attributes><attribute id=\"attrs-site\" name=\"site\"/></select_attributes></select>
  <recipient id=\"attrs-dir\" value=\"$A/attr-events\"/></alert>
 <alert id=\"kn\" path=\"$KN\"><select><select_resources/></select><instance_attributes id=\"kn-ia\">
  <nvpair id=\"kn-r\" name=\"resources\" value=\"vip app\"/><nvpair id=\"kn-n\" name=\"vrrp_name\" value=\"VI_1\"/>
  <nvpair id=\"kn-m\" name=\"notify_master\" value=\"$A/notify.sh master\"/><nvpair id=\"kn-b\" name=\"notify_backup\" value=\"$A/notify.sh backup\"/>
 </instance_attributes></alert>
</alerts>"
cib_do "$dc" -R -o alerts -X "$alerts" || e2e_fail "the alerts section was refused"
FENCING=1 configure_web_group "$dc" "$VIP" '<rsc_location id="web-loc" rsc="web" node="n2" score="50"/>' || e2e_fail "group refused"
wait_running_once "$VIP" app 90 "$NODES" >/dev/null || e2e_fail "web does not run once: $(where_is "$VIP" app "$NODES")"
[ "$(dummy_nodes app "$NODES")" = 2 ] || e2e_fail "web is not on n2: $(where_is "$VIP" app "$NODES")"
in_log() { grep -qE "$1" "$LOG" 2>/dev/null; }
wait_until 20 in_log "Resource operation 'start' for 'vip' on 'n2': ok" || e2e_fail "no start alert for vip on n2: $(cat "$LOG")"
e2e_note "web runs on n2; the sample logged its start"

# ---- a move: stop on n2, start on n3 ------------------------------------------
cib_do "$dc" -M -o constraints -X '<rsc_location id="web-loc" rsc="web" node="n3" score="500"/>' || e2e_fail "move refused"  # above the stickiness
wait_until 60 in_log "Resource operation 'start' for 'app' on 'n3': ok" || e2e_fail "no start alert for app on n3: $(tail -20 "$LOG")"
for want in "Resource operation 'stop' for 'app' on 'n2': ok" "Resource operation 'stop' for 'vip' on 'n2': ok" \
            "Resource operation 'start' for 'vip' on 'n3': ok"; do
    in_log "$want" || e2e_fail "missing in the alert log: $want"
done
e2e_note "the move was alerted: stop on n2, start on n3"
notified() { grep -q "^$1 on $(node_ip "$2")/" "$A/notify.log" 2>/dev/null; }
wait_until 10 notified backup 2 || e2e_fail "keepalived_notify did not call notify_backup on n2: $(cat "$A/notify.log")"
wait_until 10 notified master 3 || e2e_fail "keepalived_notify did not call notify_master on n3: $(cat "$A/notify.log")"
e2e_note "keepalived_notify: $(tr '\n' '|' < "$A/notify.log")"

# ---- the failover: kill -9 of n3 ----------------------------------------------
before=$(wc -l < "$LOG")
"$LAB/kill-node.sh" 3 >/dev/null
e2e_note "n3 killed"
since_kill() { tail -n +"$((before + 1))" "$LOG"; }
in_new() { since_kill | matches -E "$1"; }
wait_until 90 in_new "Resource operation 'start' for 'app' on 'n[12]': ok" \
    || e2e_fail "no start alert for app on a survivor: $(since_kill)"
wait_until 10 in_new "Fencing Operation off of n3 by n[12] for crmd\.[0-9]+@n[12]: OK \(ref=" \
    || e2e_fail "no fencing alert for n3: $(since_kill)"
in_new "Node 'n3' is now 'lost'" || e2e_fail "no node alert for n3: $(since_kill)"
fence_line=$(since_kill | grep -n "Fencing Operation off of n3" | head -1 | cut -d: -f1)
start_line=$(since_kill | grep -nE "Resource operation 'start' for 'app' on 'n[12]': ok" | head -1 | cut -d: -f1)
[ "$fence_line" -lt "$start_line" ] || e2e_fail "the start elsewhere was alerted before the fencing of n3: $(since_kill)"
e2e_note "the failover was alerted: $(since_kill | grep -E "Node 'n3'|Fencing|'start' for" | tr '\n' '|')"

# Each survivor's controller sent the loss of n3 (and n3's own events came from n3).
from_of() { grep -l "^CRM_alert_desc=$2\$" $(grep -l "^CRM_alert_node=$1\$" "$A"/events/* ) 2>/dev/null | xargs -r grep -h '^from=' | sort -u | tr '\n' ' '; }
lost_from=$(from_of n3 lost)
for k in 1 2; do
    echo "$lost_from" | matches "$(node_ip "$k")/" || e2e_fail "n$k sent no 'lost' alert for n3 (from: $lost_from)"
done

# ---- an attribute, for the alert that selects it ------------------------------
( node_exec 1 "$CLUSTER_BIN/attrd_updater" -n site -U east ) || e2e_fail "attrd_updater failed"
( node_exec 1 "$CLUSTER_BIN/attrd_updater" -n other -U 1 ) || e2e_fail "attrd_updater failed"
attr_seen() { grep -lq "^CRM_alert_attribute_value=east$" "$A"/attr-events/* 2>/dev/null; }
wait_until 20 attr_seen || e2e_fail "no attribute alert for site=east"
in_log "Attribute" && e2e_fail "the file alert got attribute events it does not select"
grep -q "^CRM_alert_attribute_name=other$" "$A"/attr-events/* && e2e_fail "the attrs alert got an attribute it does not select"
e2e_note "site=east on n1 was alerted to the alert that selects it, and only there"

# ---- every event has exactly the peer's variables for its kind -----------------
common="kind node_sequence recipient timestamp timestamp_epoch timestamp_usec version"
declare -A want=(
    [node]="desc node nodeid"
    [fencing]="desc node rc task"
    [resource]="desc exec_time interval node rc rsc status target_rc task"
    [attribute]="attribute_name attribute_value node nodeid"
)
declare -A seen=()
for f in "$A"/events/* "$A"/attr-events/*; do
    kind=$(sed -n 's/^CRM_alert_kind=//p' "$f")
    [ -n "${want[$kind]:-}" ] || e2e_fail "unexpected kind '$kind' in $f"
    got=$(sed -n 's/^CRM_alert_\([a-z_]*\)=.*/\1/p' "$f" | sort | tr '\n' ' ')
    exp=$(echo "$common ${want[$kind]}" | tr ' ' '\n' | sort | tr '\n' ' ')
    [ "$got" = "$exp" ] || e2e_fail "$kind alert $f has [$got], the peer sends [$exp]"
    seen[$kind]=$(( ${seen[$kind]:-0} + 1 ))
done
for kind in node fencing resource attribute; do
    [ "${seen[$kind]:-0}" -gt 0 ] || e2e_fail "no $kind event was recorded"
done
e2e_note "events recorded: node ${seen[node]}, fencing ${seen[fencing]}, resource ${seen[resource]}, attribute ${seen[attribute]}; each with the peer's variables"
cluster_end
echo PASS
