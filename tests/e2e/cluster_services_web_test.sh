#!/bin/bash
# e2e (issue 16, must-show 3): real web servers as cluster resources, each with
# the unchanged agent from Debian's resource-agents, on 3 lab nodes with
# stonith-enabled=true (fence_ipmilan through the lab BMCs, stonith-action=off):
#  - group web-apache = IPaddr2 .101 + ocf:heartbeat:apache (Apache httpd; the
#    agent's monitor reads its mod_status page, /server-status);
#  - group web-nginx  = IPaddr2 .102 + ocf:heartbeat:nginx;
#    both prefer a node T that is not the DC. A page holding a token is served
#    through both VIPs; kill -9 of T (kill-node.sh): T is fenced, both groups
#    start on a survivor after the fencing is confirmed, and the same page is
#    served again through both VIPs. A 0.1 s sampler (VIPs and the apache2 and
#    nginx processes of every node) never sees one on two nodes.
#  - group director = ocf:crm:IPVS + ocf:heartbeat:ldirectord: this kernel has
#    no IPVS (CONFIG_IP_VS unset). ldirectord and its agent do not notice
#    (measured: the daemon starts, every ipvsadm call fails, the agent's start
#    and monitor return 0), so ocf:crm:IPVS refuses first: its start fails with
#    "not installed" (OCF_ERR_INSTALLED) and the kernel's answer. The cluster
#    tries each node once, as the peer does, never starts ldirectord, and
#    crm_mon/crm_resource show the failures with that reason.
#  - ldirectord's own path as far as it runs here: its configuration check
#    (a bad file: exit 2, file and line named) and its health checks of real
#    servers (ldirectord -d: the apache VIP "is up", an address with no server
#    "is down"), while each ipvsadm call fails with "Protocol not available".
# Every instance has its own pid file (the node's /run), logs (the node's
# /var/log/crm) and configuration under $LAB_ROOT/svc; the host's default
# instances are never used. docs/services.md.
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
need_lab_fencing
for p in apache2 nginx ldirectord ipvsadm curl; do
    command -v "$p" >/dev/null || [ -x "/usr/sbin/$p" ] || e2e_skip "$p not installed (scripts/setup.sh)"
done
RA=/usr/lib/ocf/resource.d
for a in heartbeat/apache heartbeat/nginx heartbeat/ldirectord heartbeat/IPaddr2 crm/IPVS; do
    [ -x "$RA/$a" ] || e2e_skip "agent $a not installed"
done
# The director's refusal is this kernel's (no IPVS, docs/services.md); on one
# with IPVS ldirectord would run and that part is left out.
NO_IPVS=1
ipvsadm -L -n >/dev/null 2>&1 && NO_IPVS=0
cluster_begin svw 3
NODES="1 2 3"
VIP_A=${LAB_SUBNET}.101
VIP_N=${LAB_SUBNET}.102
VIP_D=${LAB_SUBNET}.110
SVC=$LAB_ROOT/svc
TOKEN="served-before-the-kill-$$-$RANDOM"
mkdir -p "$SVC/www"
echo "$TOKEN" > "$SVC/www/index.html"

# ---- the services' own configurations (one file for every node: paths that
# differ per node are the node's own /run and /var/log/crm) -------------------
cat > "$SVC/apache2.conf" <<EOF
ServerName lab
ServerRoot /etc/apache2
Listen 80
# The agent creates the pid file's directory only under /var/run.
PidFile /var/run/lab-apache/httpd.pid
Mutex file:/var/run/lab-apache default
DefaultRuntimeDir /var/run/lab-apache
User www-data
Group www-data
ErrorLog /var/log/crm/apache-error.log
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule status_module /usr/lib/apache2/modules/mod_status.so
TypesConfig /etc/mime.types
DocumentRoot $SVC/www
<Directory $SVC/www>
    Require all granted
</Directory>
DirectoryIndex index.html
<Location /server-status>
    SetHandler server-status
    Require local
</Location>
EOF
# nginx -t (run by the agent) opens the pid file: it lies directly in /var/run.
cat > "$SVC/nginx.conf" <<EOF
user www-data;
worker_processes 1;
pid /var/run/nginx-lab.pid;
error_log /var/log/crm/nginx-error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path /var/run/nginx-lab-body;
    proxy_temp_path /var/run/nginx-lab-proxy;
    fastcgi_temp_path /var/run/nginx-lab-fastcgi;
    uwsgi_temp_path /var/run/nginx-lab-uwsgi;
    scgi_temp_path /var/run/nginx-lab-scgi;
    server {
        listen 8080;
        root $SVC/www;
        location = /nginx_status { stub_status; allow 127.0.0.1; deny all; }
    }
}
EOF
# The director: the apache VIP as a real server that answers, .103 as one
# where nothing listens.
cat > "$SVC/ldirectord.cf" <<EOF
checktimeout=1
checkinterval=1
autoreload=no
logfile="/var/log/crm/ldirectord.log"
quiescent=no
virtual=$VIP_D:80
	real=$VIP_A:80 gate
	real=${LAB_SUBNET}.103:80 gate
	service=http
	request="index.html"
	receive="$TOKEN"
	scheduler=rr
	protocol=tcp
	checktype=negotiate
EOF

dc=$(wait_one_dc 3 60) || e2e_fail "no single DC"
T=$(echo $NODES | tr ' ' '\n' | grep -vx "$dc" | tail -1)
W=$dc  # the client: it survives the kill
configure_fenced_services "$dc" || e2e_fail "fencing, stonith-enabled or stickiness refused"
vip() { ocf_primitive "$1" heartbeat IPaddr2 ip="$2" cidr_netmask=24 nic=eth0; }
primitive() { ocf_primitive "$@"; }
rsc="<group id=\"web-apache\">$(vip vip-a "$VIP_A")$(primitive apache heartbeat apache configfile="$SVC/apache2.conf" httpd=/usr/sbin/apache2 statusurl=http://localhost/server-status)</group>"
rsc="$rsc<group id=\"web-nginx\">$(vip vip-n "$VIP_N")$(primitive nginx heartbeat nginx configfile="$SVC/nginx.conf" httpd=/usr/sbin/nginx status10url=http://localhost:8080/nginx_status)</group>"
[ "$NO_IPVS" = 0 ] || rsc="$rsc<group id=\"director\">$(primitive ipvs crm IPVS)$(primitive ldirectord heartbeat ldirectord configfile="$SVC/ldirectord.cf")</group>"
cons="<rsc_location id=\"apache-prefers\" rsc=\"web-apache\" node=\"n$T\" score=\"50\"/><rsc_location id=\"nginx-prefers\" rsc=\"web-nginx\" node=\"n$T\" score=\"50\"/>"
cib_do "$dc" -M -c -o configuration -X "<configuration><resources>$rsc</resources><constraints>$cons</constraints></configuration>" \
    || e2e_fail "resources refused"

page() { ( node_exec "$W" curl -sf --max-time 2 "http://$1/" ) 2>/dev/null; }
serves() { [ "$(page "$1")" = "$TOKEN" ]; }
both_serve() { serves "$VIP_A" && serves "$VIP_N:8080"; }
wait_until 60 both_serve || e2e_fail "the page is not served through both VIPs: apache '$(page "$VIP_A")' on [$(service_nodes apache2 "$NODES")], nginx '$(page "$VIP_N:8080")' on [$(service_nodes nginx "$NODES")]"
[ "$(service_nodes apache2 "$NODES")" = "$T" ] && [ "$(service_nodes nginx "$NODES")" = "$T" ] && [ "$(vip_nodes "$VIP_A" "$NODES")" = "$T" ] \
    || e2e_fail "not on n$T: apache2 [$(service_nodes apache2 "$NODES")] nginx [$(service_nodes nginx "$NODES")] vip [$(vip_nodes "$VIP_A" "$NODES")]"
status=$( ( node_exec "$T" curl -sf --max-time 2 "http://localhost/server-status?auto" ) 2>/dev/null)
echo "$status" | matches '^ServerVersion: Apache' || e2e_fail "no mod_status page on n$T: $status"
e2e_note "apache (status page up) and nginx serve the page through $VIP_A and $VIP_N on n$T (DC n$dc)"
start_service_sampler "$NODES" "$VIP_A=apache2" "$VIP_N=nginx"

# ---- the director is refused, once per node --------------------------------
if [ "$NO_IPVS" = 1 ]; then
    ipvs_starts() { cat "$LAB_ROOT"/n*/launcher.log | grep -c "result ipvs_start_0" || true; }
    ipvs_stopped() { ( node_exec "$W" "$CLUSTER_BIN/crm_resource" -W -r ipvs ) 2>&1 | matches "NOT running"; }
    three_tries() { [ "$(ipvs_starts)" -ge 3 ] && ipvs_stopped; }
    wait_until 30 three_tries || e2e_fail "ocf:crm:IPVS was started $(ipvs_starts) times, not once per node, and is stopped nowhere"
    mon=$( ( node_exec "$W" "$CLUSTER_BIN/crm_mon" -1 ) 2>&1)
    refused=$(echo "$mon" | grep -c "ipvs start on n[0-9] returned 'not installed' (this kernel has no IP Virtual Server: Can't initialize ipvs: Protocol not available)" || true)
    [ "$refused" = 3 ] || e2e_fail "crm_mon does not show the refusal on the 3 nodes: $mon"
    e2e_note "crm_mon -1: $(echo "$mon" | grep -m1 "ipvs start on")"
    ops=$( ( node_exec "$W" "$CLUSTER_BIN/crm_resource" -O -r ipvs ) 2>&1)
    [ "$(echo "$ops" | grep 'rc=5' | grep -o 'ipvs_start_0 (node=n[0-9]*' | sort -u | wc -l)" = 3 ] || e2e_fail "crm_resource -O does not show 3 failed starts (rc=5): $ops"
    ( node_exec "$W" "$CLUSTER_BIN/crm_resource" -W -r ldirectord ) 2>&1 | matches "NOT running" || e2e_fail "crm_resource -W: ldirectord runs somewhere"
else
    e2e_note "this kernel has IPVS: no director refusal to show"
fi

# ---- kill -9 of T ------------------------------------------------------------
ts=$("$LAB/kill-node.sh" "$T" | sed -n 's/^KILL_TS=//p')
e2e_note "kill -9 of n$T"
survivors=$(echo $NODES | tr ' ' '\n' | grep -vx "$T" | tr '\n' ' ')
moved() { [ -n "$(service_nodes apache2 "$survivors")" ] && [ -n "$(service_nodes nginx "$survivors")" ] && both_serve; }
wait_until 90 moved || e2e_fail "the page did not come back: apache '$(page "$VIP_A")' on [$(service_nodes apache2 "$NODES")], nginx '$(page "$VIP_N:8080")' on [$(service_nodes nginx "$NODES")]"
QA=$(service_nodes apache2 "$NODES"); QN=$(service_nodes nginx "$NODES")
e2e_note "the page written before the kill is served again through both VIPs (apache on n$QA, nginx on n$QN), $(ms_since "$ts") ms after the kill"
[ "$(vip_nodes "$VIP_A" "$NODES")" = "$QA" ] && [ "$(vip_nodes "$VIP_N" "$NODES")" = "$QN" ] \
    || e2e_fail "a VIP is not with its server: $VIP_A on [$(vip_nodes "$VIP_A" "$NODES")], $VIP_N on [$(vip_nodes "$VIP_N" "$NODES")]"
fenced_at=$(fenced_before_start "$T" "$QA" apache)
fenced_before_start "$T" "$QN" nginx >/dev/null
e2e_note "n$T fenced ($fenced_at) before apache and nginx started again"
if [ "$NO_IPVS" = 1 ]; then
    [ "$(ipvs_starts)" = 3 ] || e2e_fail "ocf:crm:IPVS was started again after the failover: $(ipvs_starts) starts"
    if cat "$LAB_ROOT"/n*/launcher.log | matches "result ldirectord_start_0"; then e2e_fail "the cluster started ldirectord"; fi
    e2e_note "the director stays refused: 3 starts of ocf:crm:IPVS in all, ldirectord never started"
fi

# ---- ldirectord by hand on W: configuration check and health checks -----------
sed 's/^\tscheduler=rr/\tscheduler=rr\n\tbogus=1/' "$SVC/ldirectord.cf" > "$SVC/bad.cf"
rc=0; out=$( ( node_exec "$W" ldirectord "$SVC/bad.cf" status ) 2>&1) || rc=$?
[ "$rc" = 2 ] && echo "$out" | matches "reading file $SVC/bad.cf at line [0-9]*: Unknown command" \
    || e2e_fail "ldirectord's check of a bad file: rc=$rc '$out'"
e2e_note "ldirectord refuses a bad file: rc=2 '$(echo "$out" | head -1 | sed 's/^Error \[[0-9]*\] //')'"
# 8 s of ldirectord in the foreground: each check of the down .103 waits its
# checktimeout, and two e2e tests at once once left 4 s short of one.
out=$( ( node_exec "$W" timeout 8 ldirectord -d "$SVC/ldirectord.cf" start ) 2>&1 || true)
echo "$out" > "$LAB_ROOT/ldirectord-d.out"
echo "$out" | matches "check_http: http://$VIP_A:80/index.html is up" || e2e_fail "ldirectord did not find $VIP_A up (see $LAB_ROOT/ldirectord-d.out)"
echo "$out" | matches "check_http: http://${LAB_SUBNET}.103:80/index.html is down" || e2e_fail "ldirectord did not find .103 down (see $LAB_ROOT/ldirectord-d.out)"
[ "$NO_IPVS" = 0 ] || echo "$out" | matches "Can't initialize ipvs: Protocol not available" || e2e_fail "ipvsadm did not fail as measured (see $LAB_ROOT/ldirectord-d.out)"
e2e_note "ldirectord's health checks run: $VIP_A is up, .103 is down; its ipvsadm calls fail: Can't initialize ipvs: Protocol not available"

check_samples 20 "a VIP, apache2 or nginx"
cluster_end
echo PASS
