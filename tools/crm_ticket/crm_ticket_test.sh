#!/bin/bash
# crm_ticket on a copy of a scheduler-case CIB (CIB_file): every query and
# change, the resulting XML, exit codes, the --force guard on grant/revoke;
# then the same sequence through the peer's crm_ticket (when installed) must
# print the same (timestamps aside) and leave the same ticket state.
# usage: crm_ticket_test.sh BIN_DIR SHARED_DIR
set -u
T=$1/crm_ticket
SIM=$1/crm_simulate
CASE=$2/scheduler-cases-advanced/ticket-primitive-6
fail=0
tmp=$(mktemp -d /tmp/crm_ticket_test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$(cd "$(dirname "$0")/../.." && pwd)/tests/cli/check.sh"

cp "$CASE/input.xml" "$tmp/a.xml"
export CIB_file=$tmp/a.xml
# The case: ticketA revoked, rsc1 depends on it with loss-policy=demote.
check list 0 "ticketA	revoked          " -- "$T" -l
check details 0 "ticketA	revoked           (granted=false)" -- "$T" -L
check raw 0 "ticketA" -- "$T" -w
check constraints 0 "Constraints XML:

<rsc_ticket id=\"rsc1-dep-ticketA\" rsc=\"rsc1\" rsc-role=\"Started\" ticket=\"ticketA\" loss-policy=\"demote\"/>" -- "$T" -c -t ticketA
check grant-needs-force 4 "This command cannot help you verify whether 'ticketA' has been already granted elsewhere.
If you really want to grant 'ticketA' to this site now, and you know what you are doing,
please specify --force." -- "$T" -t ticketA -g
check_err grant-needs-force "crm_ticket: Ticket modification not allowed"
grep -q 'ticket_state id="ticketA" granted="false"' "$tmp/a.xml" || { echo "FAIL grant-needs-force changed the CIB"; fail=1; }
# The scheduler sees the ticket: rsc1 (running) stops while ticketA is revoked, and stays once granted.
"$SIM" -x "$tmp/a.xml" -S 2>&1 | grep -q "Stop *rsc1" || { echo "FAIL rsc1 does not stop while ticketA is revoked"; fail=1; }
check grant 0 "" -- "$T" -t ticketA -g --force
grep -q 'ticket_state id="ticketA" granted="true" last-granted="[0-9]*"' "$tmp/a.xml" || { echo "FAIL grant: $(grep ticket_state "$tmp/a.xml")"; fail=1; }
"$SIM" -x "$tmp/a.xml" -S 2>&1 | grep -q "Stop *rsc1" && { echo "FAIL rsc1 stops though ticketA is granted"; fail=1; }
check get 0 "true" -- "$T" -t ticketA -G granted
check get-missing 105 "" -- "$T" -t ticketA -G owner
check get-default 0 "nobody" -- "$T" -t ticketA -G owner -d nobody
check standby 0 "" -- "$T" -t ticketA -s
"$T" -l | grep -q "^ticketA	granted \[standby\] last-granted='" || { echo "FAIL standby not listed: $("$T" -l)"; fail=1; }
"$1/crm_mon" -1 -c | grep -q '^  \* ticketA: granted \[standby\] last-granted="' || { echo "FAIL crm_mon -c: $("$1/crm_mon" -1 -c | tail -3)"; fail=1; }
"$1/crm_mon" -1 -c --output-as=xml | grep -q '<ticket id="ticketA" status="granted" standby="true" last-granted="' || { echo "FAIL crm_mon -c --output-as=xml"; fail=1; }
"$1/crm_mon" -1 | grep -q "Tickets:" && { echo "FAIL crm_mon shows tickets without -c"; fail=1; }
check activate 0 "" -- "$T" -t ticketA -a
check set-attr 0 "" -- "$T" -t ticketA -S owner -v site-a
check get-attr 0 "site-a" -- "$T" -t ticketA -G owner
check delete-attr 0 "" -- "$T" -t ticketA -D owner
check get-deleted 105 "" -- "$T" -t ticketA -G owner
check revoke-needs-force 4 "$(printf "Revoking 'ticketA' can trigger the specified 'loss-policy'(s) relating to 'ticketA'.\n\nYou can check that with:\ncrm_ticket --ticket ticketA --constraints\n\nOtherwise before revoking 'ticketA', you may want to make 'ticketA' standby with:\ncrm_ticket --ticket ticketA --standby\n\nIf you really want to revoke 'ticketA' from this site now, and you know what you are doing,\nplease specify --force.")" -- "$T" -t ticketA -r
check cleanup-granted-needs-force 4 "$(printf "Revoking 'ticketA' can trigger the specified 'loss-policy'(s) relating to 'ticketA'.\n\nYou can check that with:\ncrm_ticket --ticket ticketA --constraints\n\nOtherwise before revoking 'ticketA', you may want to make 'ticketA' standby with:\ncrm_ticket --ticket ticketA --standby\n\nIf you really want to revoke 'ticketA' from this site now, and you know what you are doing,\nplease specify --force.")" -- "$T" -t ticketA -C
check revoke 0 "" -- "$T" -t ticketA -r --force
check cleanup 0 "Cleaned up ticketA" -- "$T" -t ticketA -C
grep -q "ticket_state" "$tmp/a.xml" && { echo "FAIL cleanup left the state"; fail=1; }
check still-named 0 "ticketA	revoked          " -- "$T" -l
check unknown-ticket 105 "" -- "$T" -t nosuch -l
check_err unknown-ticket "crm_ticket: No such ticket 'nosuch'"
check no-command 64 "" -- "$T"
check_err no-command "crm_ticket: Must supply a command"
check set-without-value 64 "" -- "$T" -t ticketA -S x
check new-ticket 0 "" -- "$T" -t ticketB -g --force
check new-ticket-xml 0 "State XML:

<ticket_state id=\"ticketB\" granted=\"true\" last-granted=\"$(grep -o 'last-granted="[0-9]*"' "$tmp/a.xml" | head -1 | cut -d'"' -f2)\"/>" -- "$T" -t ticketB -q
check bad-option 64 "" -- "$T" --frobnicate

# The same sequence through the peer's crm_ticket, when it is installed.
PEER=$(command -v crm_ticket 2>/dev/null || true)
[ -x /usr/sbin/crm_ticket ] && PEER=/usr/sbin/crm_ticket
if [ -n "$PEER" ] && [ "$PEER" != "$T" ]; then
    sequence() {
        local bin=$1
        run() { echo "== $*"; "$bin" "$@" 2>&1; echo "rc=$?"; }
        run -l; run -L; run -w; run -q; run -c
        run -t ticketA -g; run -t ticketA -g --force
        run -t ticketA -G granted; run -t ticketA -G foo; run -t ticketA -G foo -d bar
        run -t ticketA -s; run -t ticketA -a
        run -t ticketA -S owner -v me; run -t ticketA -S granted -v false; run -t ticketA -D owner
        run -t ticketA -r; run -t ticketA -C; run -t ticketA -r --force; run -t ticketA -C
        run -q; run -t ticketB -l; run -t ticketB -c; run -t ticketB -g --force; run -t ticketB -q
        run -t ticketB -D granted; run -t ticketB -D granted --force; run -t ticketB -L
        run -t ticketB -S x; run -v 3; run; run -t ticketB -C --force; run -t ticketC -C
    }
    norm() { sed -e 's/[0-9]\{10\}/TIME/g' -e "s/'[A-Z][a-z][a-z] [A-Z][a-z][a-z] [ 0-9][0-9] ..:..:.. [0-9]*'/'DATE'/g" "$@"; }
    cp "$CASE/input.xml" "$tmp/ours.xml"; cp "$CASE/input.xml" "$tmp/peer.xml"
    CIB_file=$tmp/ours.xml sequence "$T" | norm > "$tmp/ours.out"
    CIB_file=$tmp/peer.xml sequence "$PEER" | norm > "$tmp/peer.out"
    if diff "$tmp/peer.out" "$tmp/ours.out" > "$tmp/diff"; then echo "ok same output as the peer's crm_ticket ($(grep -c '^==' "$tmp/ours.out") commands)"
    else echo "FAIL output differs from the peer's crm_ticket:"; cat "$tmp/diff"; fail=1; fi
    if diff <(norm "$tmp/peer.xml" | sed -n '/<tickets/,/<\/tickets>/p') <(norm "$tmp/ours.xml" | sed -n '/<tickets/,/<\/tickets>/p'); then
        echo "ok same ticket state as the peer's"
    else echo "FAIL ticket state differs from the peer's"; fail=1; fi
else
    echo "(the peer's crm_ticket is not installed: no comparison)"
fi
exit $fail
