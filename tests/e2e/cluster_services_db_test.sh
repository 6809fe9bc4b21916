#!/bin/bash
# e2e (issue 16, must-show 3): MariaDB as a cluster resource with Debian's
# unchanged agents, on 3 lab nodes with stonith-enabled=true (fence_ipmilan
# through the lab BMCs, stonith-action=off): group db =
# ocf:heartbeat:Filesystem (ext4 on a loop device over $LAB_ROOT/svc/db.img,
# a file every node sees; options=loop, so each mount makes its own loop
# device) + IPaddr2 .100 + ocf:heartbeat:mysql (mysqld_safe/mariadbd, data
# directory on that filesystem), preferring a node T that is not the DC.
#  1. A client on another node writes 100 rows through the VIP (each INSERT
#     committed: autocommit, innodb_flush_log_at_trx_commit=1), then keeps
#     inserting one row per connection, recording each acknowledged one.
#  2. kill -9 of T (kill-node.sh): T is fenced, the filesystem is mounted on
#     a survivor after the fencing is confirmed (journal replay, InnoDB crash
#     recovery), and the client reaches the database through the VIP again.
#  3. Every row committed before the kill is there (the 100 exactly), every
#     row acknowledged during the kill too, and no row the client never sent.
# A 0.1 s sampler never sees the VIP or mariadbd on two nodes; after the
# failover the filesystem is mounted on one node only.
# What this does not show: power-loss durability. The loop device's backing
# file lives in the host's page cache, which kill -9 of a lab node does not
# drop (kill-node.sh unmounts the dead node's filesystem, which writes back
# what ext4 still held), and this kernel has no device-mapper to emulate a
# lost cache. So this shows failover of committed data, not that fsync
# reached a disk. docs/services.md.
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
need_lab_fencing
for p in mariadbd mariadb-install-db mysqld_safe mysql mkfs.ext4 losetup; do
    command -v "$p" >/dev/null || [ -x "/usr/sbin/$p" ] || e2e_skip "$p not installed (scripts/setup.sh)"
done
[ -e /dev/loop-control ] || e2e_skip "no loop devices"
for a in Filesystem IPaddr2 mysql; do
    [ -x "/usr/lib/ocf/resource.d/heartbeat/$a" ] || e2e_skip "agent ocf:heartbeat:$a not installed"
done
cluster_begin svd 3
NODES="1 2 3"
VIP=${LAB_SUBNET}.100
SVC=$LAB_ROOT/svc
IMG=$SVC/db.img
MNT=$LAB_ROOT/db   # the same path in every node; each node's mounts are its own
SOCK=/var/run/lab-mysql/mysqld.sock
mkdir -p "$SVC" "$MNT"
cat > "$SVC/my.cnf" <<EOF
[mysqld]
bind-address = 0.0.0.0
port = 3306
skip-name-resolve
innodb_buffer_pool_size = 16M
innodb_log_file_size = 8M
innodb_flush_log_at_trx_commit = 1
performance_schema = off
EOF

dc=$(wait_one_dc 3 60) || e2e_fail "no single DC"
T=$(echo $NODES | tr ' ' '\n' | grep -vx "$dc" | tail -1)
W=$dc  # the client: it survives the kill

# ext4 on the image and an empty data directory, made once on n1 (its mounts are its own).
truncate -s 160M "$IMG"
mkfs.ext4 -q -F "$IMG" || e2e_fail "mkfs.ext4 $IMG"
( node_exec 1 sh -ec "mount -o loop $IMG $MNT
  mariadb-install-db --defaults-file=$SVC/my.cnf --user=mysql --datadir=$MNT/mysql --auth-root-authentication-method=socket --skip-test-db >$SVC/install.log 2>&1 || { umount $MNT; exit 1; }
  umount $MNT" ) || e2e_fail "mariadb-install-db on the image: $(tail -3 "$SVC/install.log")"
e2e_note "ext4 on $IMG with an empty MariaDB data directory"

configure_fenced_services "$dc" || e2e_fail "fencing, stonith-enabled or stickiness refused"
primitive() { ocf_primitive "$1" heartbeat "${@:2}"; }
grp="<group id=\"db\">$(primitive dbfs Filesystem device="$IMG" directory="$MNT" fstype=ext4 options=loop)"
grp="$grp$(primitive vip IPaddr2 ip="$VIP" cidr_netmask=24 nic=eth0)"
grp="$grp$(primitive mysql mysql binary=/usr/bin/mysqld_safe config="$SVC/my.cnf" datadir="$MNT/mysql" pid=/var/run/lab-mysql/mysqld.pid socket=$SOCK log=/var/log/crm/mysqld.log user=mysql group=mysql)</group>"
cib_do "$dc" -M -c -o configuration -X "<configuration><resources>$grp</resources><constraints><rsc_location id=\"db-prefers\" rsc=\"db\" node=\"n$T\" score=\"50\"/></constraints></configuration>" \
    || e2e_fail "group refused"

root_sql() { ( node_exec "$1" mysql -S "$SOCK" -N -e "$2" ) 2>&1; }
up_on_t() { root_sql "$T" "select 1" | matches -x 1; }
wait_until 90 up_on_t || e2e_fail "MariaDB is not up on n$T: $(root_sql "$T" "select 1"), mariadbd on [$(service_nodes mariadbd "$NODES")]"
root_sql "$T" "CREATE DATABASE labdb; CREATE TABLE labdb.t (id INT PRIMARY KEY, v VARCHAR(64)) ENGINE=InnoDB; CREATE USER 'lab'@'%' IDENTIFIED BY 'labpw'; GRANT ALL ON labdb.* TO 'lab'@'%';" \
    | grep . && e2e_fail "creating the client's database on n$T failed"
sql() { ( node_exec "$W" mysql -h "$VIP" -u lab -plabpw --connect-timeout=1 -N labdb -e "$1" ) 2>&1; }
[ "$(vip_nodes "$VIP" "$NODES")" = "$T" ] || e2e_fail "the VIP is on [$(vip_nodes "$VIP" "$NODES")], not n$T"

# ---- 1. rows committed through the VIP, then a writer through the kill --------
COMMITTED=100
ins=$(for i in $(seq 1 $COMMITTED); do echo "INSERT INTO t VALUES ($i, 'before-the-kill');"; done)
( node_exec "$W" mysql -h "$VIP" -u lab -plabpw labdb -e "$ins" ) || e2e_fail "the client's $COMMITTED inserts through $VIP failed"
[ "$(sql "SELECT COUNT(*) FROM t")" = "$COMMITTED" ] || e2e_fail "count after the inserts: $(sql "SELECT COUNT(*) FROM t")"
e2e_note "$COMMITTED rows committed through $VIP on n$T (DC n$dc)"
start_service_sampler "$NODES" "$VIP=mariadbd"
ACKED=$LAB_ROOT/acked SENT=$LAB_ROOT/sent STOP=$LAB_ROOT/stop-writer
: > "$ACKED"; : > "$SENT"
( i=$((COMMITTED + 1))
  while [ ! -e "$STOP" ]; do
      echo "$i" >> "$SENT"
      if out=$(sql "INSERT INTO t VALUES ($i, 'through-the-kill')") && [ -z "$out" ]; then
          echo "$i" >> "$ACKED"  # mysql exited 0 and said nothing: committed
      else
          echo "$i $(date +%T.%N | cut -c1-12) $out" >> "$LAB_ROOT/writer.err"
      fi
      i=$((i + 1))
  done ) &
writer=$!
acks() { wc -l < "$ACKED"; }
wait_until 20 sh -c "[ \$(wc -l < $ACKED) -ge 10 ]" || e2e_fail "the writer got no acknowledgements: $(sql "SELECT 1")"

# ---- 2. kill -9 of T ------------------------------------------------------------
before=$(acks)
ts=$("$LAB/kill-node.sh" "$T" | sed -n 's/^KILL_TS=//p')
e2e_note "kill -9 of n$T ($before rows acknowledged by then after the $COMMITTED)"
survivors=$(echo $NODES | tr ' ' '\n' | grep -vx "$T" | tr '\n' ' ')
back() { [ "$(acks)" -ge $((before + 10)) ] && [ -n "$(service_nodes mariadbd "$survivors")" ]; }
wait_until 120 back || { touch "$STOP"; wait "$writer" || true; e2e_fail "the database did not come back through $VIP: mariadbd on [$(service_nodes mariadbd "$NODES")], '$(sql "SELECT 1")'"; }
Q=$(service_nodes mariadbd "$NODES")
e2e_note "MariaDB answers through $VIP again from n$Q, $(ms_since "$ts") ms after the kill"
touch "$STOP"; wait "$writer" || true
fenced_at=$(fenced_before_start "$T" "$Q" dbfs)
e2e_note "n$T fenced ($fenced_at) before n$Q mounted the filesystem"

# ---- 3. the rows --------------------------------------------------------------
n_before=$(sql "SELECT COUNT(*) FROM t WHERE v = 'before-the-kill'")
[ "$n_before" = "$COMMITTED" ] || e2e_fail "$n_before of the $COMMITTED rows committed before the kill are there"
present=$(sql "SELECT id FROM t WHERE v = 'through-the-kill' ORDER BY id")
missing=$(sort -n "$ACKED" | comm -23 - <(echo "$present" | sort -n) | tr '\n' ' ')
[ -z "${missing// }" ] || e2e_fail "acknowledged rows missing after the failover: $missing (present: $(echo $present); now: $(sql "SELECT id FROM t WHERE id > $COMMITTED" | tr '\n' ' '))"
extra=$(echo "$present" | sort -n | comm -23 - <(sort -n "$SENT") | tr '\n' ' ')
[ -z "${extra// }" ] || e2e_fail "rows nobody sent: $extra"
e2e_note "all $COMMITTED rows committed before the kill and all $(acks) acknowledged through it are there ($(echo "$present" | grep -c .) rows of $(wc -l < "$SENT") sent through it)"
mounts=""
for k in $survivors; do ( node_exec "$k" grep -q " $MNT " /proc/self/mountinfo ) && mounts="$mounts $k"; done
[ "${mounts# }" = "$Q" ] || e2e_fail "the filesystem is mounted on [${mounts# }], MariaDB runs on n$Q"

check_samples 15 "the VIP or mariadbd"
cluster_end
echo PASS
