#!/bin/bash
# e2e (issue 11, must-show 1): the storage stack of the seeds on 3 lab nodes
# with stonith-enabled=true (fence_ipmilan through the lab BMCs,
# stonith-action=off): a promotable clone of ocf:crm:ReplDisk (our
# replicated disk, docs/repldisk.md), and a group of ocf:heartbeat:Filesystem
# (ext4 on the promoted copy's loop device), IPaddr2 and a web server serving
# a page from that filesystem, colocated with the Promoted instance and
# ordered after its promotion.
#  1. The group runs where the disk is promoted; a page written there is
#     served on the VIP.
#  2. kill -9 of that node: it is fenced, then a survivor is promoted and the
#     group follows; the page written before the kill is served again.
#  3. The fenced node is powered on and resyncs. A secondary cut off from the
#     replication link is marked outdated by the Primary's next write; when
#     the Primary is then killed, the up-to-date copy is promoted and the cut
#     off one never is, and refuses a forced promotion.
# A sampler reads every node's mountinfo and its agent's device link (made
# on promote, removed on demote) every 0.1 s: never the filesystem mounted on
# two nodes, never two promoted copies.
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
need_lab_fencing
[ -c /dev/fuse ] && [ -e /dev/loop-control ] || e2e_skip "no /dev/fuse or loop devices"
[ -x "$CLUSTER_BIN/crm-repldisk" ] || e2e_skip "crm-repldisk not built (libfuse3-dev missing)"
cluster_begin sto 3
NODES="1 2 3"
VIP=${LAB_SUBNET}.100
PORT=8080
MNT=$LAB_ROOT/data  # the same path in every node; each node's mounts are its own
mkdir -p "$MNT"
DEV=/run/crm-repldisk/r0/device
dc=$(wait_one_dc 3 60) || e2e_fail "no single DC"

# ---- configuration ----------------------------------------------------------
configure_fencing "$dc" || e2e_fail "fence devices refused"
cib_do "$dc" -M -c -o crm_config -X '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-stonith" name="stonith-enabled" value="true"/></cluster_property_set></crm_config>' \
    || e2e_fail "stonith-enabled refused"
cib_do "$dc" -M -c -o rsc_defaults -X '<rsc_defaults><meta_attributes id="rsc-options"><nvpair id="rsc-stickiness" name="resource-stickiness" value="100"/></meta_attributes></rsc_defaults>' \
    || e2e_fail "stickiness refused"
peers="n1=$(node_ip 1) n2=$(node_ip 2) n3=$(node_ip 3)"
disk="<clone id=\"disk-clone\"><meta_attributes id=\"disk-clone-meta\"><nvpair id=\"dc-promotable\" name=\"promotable\" value=\"true\"/><nvpair id=\"dc-pmax\" name=\"promoted-max\" value=\"1\"/><nvpair id=\"dc-pnmax\" name=\"promoted-node-max\" value=\"1\"/><nvpair id=\"dc-notify\" name=\"notify\" value=\"true\"/></meta_attributes><primitive id=\"disk\" class=\"ocf\" provider=\"crm\" type=\"ReplDisk\"><instance_attributes id=\"disk-ia\"><nvpair id=\"disk-name\" name=\"name\" value=\"r0\"/><nvpair id=\"disk-peers\" name=\"peers\" value=\"$peers\"/><nvpair id=\"disk-size\" name=\"size\" value=\"32M\"/></instance_attributes><operations><op id=\"disk-mon-p\" name=\"monitor\" interval=\"10s\" role=\"Promoted\"/><op id=\"disk-mon-u\" name=\"monitor\" interval=\"11s\" role=\"Unpromoted\"/></operations></primitive></clone>"
cib_do "$dc" -M -c -o configuration -X "<configuration><resources>$disk</resources></configuration>" || e2e_fail "disk clone refused"

# Node K's view: "mounted" when the filesystem is in its mountinfo, "promoted"
# when its agent made the device link.
node_view() {
    ( node_exec "$1" sh -c "grep -q ' $MNT ' /proc/self/mountinfo && echo mounted; [ -L $DEV ] && echo promoted; true" ) 2>/dev/null
}
nodes_with() { local k out=; for k in $NODES; do node_view "$k" | matches -x "$1" && out="$out $k"; done; echo "${out# }"; }
repl_status() { ( node_exec "$1" "$CLUSTER_BIN/crm-repldisk" ctl r0 status ) 2>/dev/null; }
one_promoted() { [ "$(nodes_with promoted | wc -w)" = 1 ]; }
wait_until 90 one_promoted || e2e_fail "no single promoted copy: [$(nodes_with promoted)]"
P=$(nodes_with promoted)
e2e_note "disk promoted on n$P"

# A fresh copy is all zeroes: ext4 is made once on the first Primary, with the page on it.
TOKEN1="written-before-the-kill-$$"
( node_exec "$P" sh -ec "mkfs.ext4 -q -F $DEV; d=\$(mktemp -d); mount $DEV \$d; mkdir \$d/www; echo $TOKEN1 > \$d/www/index.html; umount \$d; rmdir \$d" ) \
    || e2e_fail "mkfs/first write on n$P"

site="<group id=\"site\"><primitive id=\"fs\" class=\"ocf\" provider=\"heartbeat\" type=\"Filesystem\"><instance_attributes id=\"fs-ia\"><nvpair id=\"fs-dev\" name=\"device\" value=\"$DEV\"/><nvpair id=\"fs-dir\" name=\"directory\" value=\"$MNT\"/><nvpair id=\"fs-type\" name=\"fstype\" value=\"ext4\"/></instance_attributes><operations><op id=\"fs-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive><primitive id=\"vip\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\"><instance_attributes id=\"vip-ia\"><nvpair id=\"vip-ip\" name=\"ip\" value=\"$VIP\"/><nvpair id=\"vip-cidr\" name=\"cidr_netmask\" value=\"24\"/><nvpair id=\"vip-nic\" name=\"nic\" value=\"eth0\"/></instance_attributes><operations><op id=\"vip-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive><primitive id=\"www\" class=\"ocf\" provider=\"crm\" type=\"WebServer\"><instance_attributes id=\"www-ia\"><nvpair id=\"www-ip\" name=\"ip\" value=\"$VIP\"/><nvpair id=\"www-port\" name=\"port\" value=\"$PORT\"/><nvpair id=\"www-root\" name=\"docroot\" value=\"$MNT/www\"/></instance_attributes><operations><op id=\"www-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive></group>"
# The disk's own fencing constraint (docs/repldisk.md, as DRBD's
# crm-fence-peer): a copy the CIB marks outdated is never chosen for promotion.
cons='<rsc_colocation id="site-with-promoted" rsc="site" with-rsc="disk-clone" with-rsc-role="Promoted" score="INFINITY"/><rsc_order id="promote-then-site" first="disk-clone" first-action="promote" then="site" then-action="start"/><rsc_location id="disk-not-outdated" rsc="disk-clone"><rule id="disk-not-outdated-rule" role="Promoted" score="-INFINITY"><expression id="disk-not-outdated-expr" attribute="repldisk-outdated-r0" operation="defined"/></rule></rsc_location>'
cib_do "$dc" -M -c -o configuration -X "<configuration><resources>$site</resources><constraints>$cons</constraints></configuration>" || e2e_fail "group refused"

# page NODE FILE — FILE as served on the VIP, fetched from NODE.
page() { ( node_exec "$1" curl -sf --max-time 2 "http://$VIP:$PORT/$2" ) 2>/dev/null; }
serves() { [ "$(page "$1" "$2")" = "$3" ]; }
other_than() { local k; for k in $NODES; do case " $* " in *" $k "*) ;; *) echo "$k"; return ;; esac; done; }
watcher=$(other_than "$P")
wait_until 60 serves "$watcher" index.html "$TOKEN1" || e2e_fail "the page is not served on the VIP: mounted [$(nodes_with mounted)], '$(page "$watcher" index.html)'"
[ "$(nodes_with mounted)" = "$P" ] || e2e_fail "the filesystem is mounted on [$(nodes_with mounted)], the disk promoted on n$P"
e2e_note "site (ext4 on the replicated disk, VIP, web server) runs on n$P and serves the page"

SAMPLES=$LAB_ROOT/samples.log
( while :; do  # one look into each node per sample
      mounted= promoted=
      for k in $NODES; do
          v=$(node_view "$k")
          case "$v" in *mounted*) mounted="$mounted $k" ;; esac
          case "$v" in *promoted*) promoted="$promoted $k" ;; esac
      done
      echo "$(date +%s.%N | cut -c1-14) mounted=[${mounted# }] promoted=[${promoted# }]" >> "$SAMPLES"
      sleep 0.1
  done ) &
watch_sampler $!

# ---- 2. kill -9 of the Primary's node ---------------------------------------
"$LAB/kill-node.sh" "$P" >/dev/null
t0=$(date +%s.%N)
e2e_note "kill -9 of n$P"
survivors=$(echo $NODES | tr ' ' '\n' | grep -vx "$P" | tr '\n' ' ')
moved() { local m; m=$(nodes_with mounted); [ -n "$m" ] && [ "$m" != "$P" ] && serves "$watcher" index.html "$TOKEN1"; }
wait_until 120 moved || e2e_fail "the site did not come back: mounted [$(nodes_with mounted)] promoted [$(nodes_with promoted)] page '$(page "$watcher" index.html)'"
Q=$(nodes_with mounted)
e2e_note "the page written before the kill is served again from n$Q, $(ms_since "$t0") ms after the kill"
[ "$(nodes_with promoted)" = "$Q" ] || e2e_fail "promoted [$(nodes_with promoted)], mounted on n$Q"
fenced_at=$(grep "fencing of n$P confirmed" "$LAB_ROOT"/n*/launcher.log | tail -1 | awk '{print $3}')
promoted_at=$(grep -E "result disk(:[0-9]+)?_promote_0" "$LAB_ROOT/n$Q/launcher.log" | tail -1 | awk '{print $3}')
[ -n "$fenced_at" ] || e2e_fail "n$P was never fenced"
[ -n "$promoted_at" ] || e2e_fail "no promote of disk logged on n$Q"
awk -v f="$fenced_at" -v p="$promoted_at" 'BEGIN { exit !(f < p) }' || e2e_fail "n$Q was promoted at $promoted_at, before n$P's fencing was confirmed at $fenced_at"
e2e_note "n$P fenced ($fenced_at) before n$Q was promoted ($promoted_at)"

# ---- 3. a cut-off secondary is outdated and never promoted -------------------
power_on "$Q" "$P" || e2e_fail "could not power n$P on"
wait_one_dc 3 120 >/dev/null || e2e_fail "n$P did not rejoin"
in_sync() { repl_status "$Q" | matches "^peer=n$1 .* link=InSync"; }
wait_until 90 in_sync "$P" || e2e_fail "n$P's copy did not resync: $(repl_status "$Q" | grep '^peer=')"
R=$(other_than "$P" "$Q")
wait_until 30 in_sync "$R" || e2e_fail "n$R's copy is not in sync: $(repl_status "$Q" | grep '^peer=')"
e2e_note "n$P is back and resynced from n$Q; n$R in sync too"
( node_exec "$R" sh -c "iptables -A INPUT -p tcp --dport 7790 -j DROP && iptables -A OUTPUT -p tcp --dport 7790 -j DROP" ) \
    || e2e_fail "iptables on n$R"
cut_at=$(date +%s.%N)
TOKEN2="written-after-the-cut-$$"
( node_exec "$Q" sh -ec "echo $TOKEN2 > $MNT/www/second.html; sync" ) || e2e_fail "write on n$Q"
mark=$( ( node_exec "$Q" "$CLUSTER_BIN/crm_attribute" -N "n$R" -n repldisk-outdated-r0 -l forever -G -q ) 2>/dev/null)
[ -n "$mark" ] || e2e_fail "the write completed but n$R is not marked outdated in the CIB: $(repl_status "$Q" | grep '^peer=')"
e2e_note "replication to n$R cut; the next write on n$Q completed once n$R was marked outdated (generation $mark)"
"$LAB/kill-node.sh" "$Q" >/dev/null
t0=$(date +%s.%N)
e2e_note "kill -9 of n$Q"
moved_to_p() { [ "$(nodes_with mounted)" = "$P" ] && serves "$R" second.html "$TOKEN2"; }
wait_until 120 moved_to_p || e2e_fail "the site did not move to n$P: mounted [$(nodes_with mounted)] promoted [$(nodes_with promoted)] page '$(page "$R" second.html)'"
e2e_note "n$P (up to date) promoted; the page written after the cut is served, $(ms_since "$t0") ms after the kill"
sleep 12  # a monitor round on n$R: its promotion score stays away
awk -v t="$cut_at" '$1 >= t && /promoted=\[[^]]*'"$R"'/' "$SAMPLES" | head -1 | matches . && e2e_fail "n$R was promoted after it was cut off"
# By hand, as an administrator would (this stack's tools first on PATH, as
# the executor gives agents): the agent finds the CIB's mark and refuses.
( node_exec "$R" env PATH="$CLUSTER_BIN:$PATH" crm_resource -r disk --force-promote --class ocf --provider crm \
    --agent ReplDisk --option name=r0 --option "peers=$peers" ) > "$LAB_ROOT/force.out" 2>&1 \
    && e2e_fail "n$R accepted a forced promotion: $(cat "$LAB_ROOT/force.out")"
grep -q "marked outdated" "$LAB_ROOT/force.out" || e2e_fail "n$R refused promotion for another reason: $(cat "$LAB_ROOT/force.out")"
repl_status "$R" | matches "^role=Secondary" || e2e_fail "n$R is not Secondary after the refused promotion: $(repl_status "$R")"
e2e_note "n$R refuses promotion: $(grep -v '^$' "$LAB_ROOT/force.out" | tail -1)"

# ---- the sampler --------------------------------------------------------------
stop_sampler
n=$(wc -l < "$SAMPLES")
[ "$n" -ge 30 ] || e2e_fail "only $n samples"
bad=$(grep -E '(mounted|promoted)=\[[0-9]+ [0-9]+' "$SAMPLES" || true)
[ -z "$bad" ] || e2e_fail "the sampler saw two at once: $(echo "$bad" | head -3)"
e2e_note "$n samples: never mounted on two nodes, never two promoted copies"
cluster_end
