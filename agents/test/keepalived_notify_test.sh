#!/bin/sh
# keepalived_notify (an alert agent): the notify scripts of an imported VRRP
# instance are called as keepalived calls them, for its resource only:
# all started -> notify_master, all stopped -> notify_backup, a failure ->
# notify_fault,
# and `notify` each time with INSTANCE NAME STATE PRIORITY.
set -eu
agent=$1
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cat > "$d/script" <<'S'
#!/bin/sh
echo "$*" >> "$(dirname "$0")/calls"
S
chmod +x "$d/script"
export resources="vip_10.0.0.1 vip_10.0.0.2" vrrp_type=INSTANCE vrrp_name=VI_1 priorities="lb1=150 lb2=100"
export notify_master="$d/script master-arg" notify_backup="$d/script backup" notify_fault="$d/script fault"
export notify="$d/script"
event() {  # event RSC TASK STATUS RC TARGET_RC [KIND]
    CRM_alert_kind=${6:-resource} CRM_alert_node=lb1 CRM_alert_rsc=$1 CRM_alert_task=$2 CRM_alert_status=$3 \
        CRM_alert_rc=$4 CRM_alert_target_rc=$5 "$agent"
}
event vip_10.0.0.1 start 0 0 0          # the first address: not yet MASTER
event vip_10.0.0.2 start 0 0 0          # the last: MASTER
event vip_10.0.0.1 monitor 0 0 0          # a monitor that passes: no state change
event other start 0 0 0                   # another resource: nothing
event vip_10.0.0.1 start 0 0 0 node       # not a resource event: nothing
event vip_10.0.0.1 monitor 0 7 0          # failed: FAULT
event vip_10.0.0.1 monitor 1 0 0          # cancelled: nothing
event vip_10.0.0.2 stop 0 0 0          # a group stops in reverse: not yet BACKUP
event vip_10.0.0.1 stop 0 0 0          # all down: BACKUP
expected="master-arg
INSTANCE VI_1 MASTER 150
fault
INSTANCE VI_1 FAULT 150
backup
INSTANCE VI_1 BACKUP 150"
got=$(cat "$d/calls")
if [ "$got" != "$expected" ]; then
    echo "FAIL: calls were:"; echo "$got"; echo "expected:"; echo "$expected"; exit 1
fi
echo PASS
