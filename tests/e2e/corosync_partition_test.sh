#!/bin/bash
# e2e: a 1|2 partition (node 1 alone on the other bridge) leaves node 1
# without quorum and nodes 2, 3 with it; after heal all three are one
# membership again and quorate.
. "$(dirname "$0")/e2e-lib.sh"
e2e_begin part 3
for k in 1 2 3; do probe_start "$k" p -g e2e-part -q; done
for k in 1 2 3; do probe_wait "$k" p "CONFCHG members=1,2,3 " 10; done

"$LAB/partition.sh" split 2,3 1 | sed 's/^/  /'
probe_wait 1 p "QUORUM quorate=0" 20
probe_wait 1 p "CONFCHG members=1 joined= left=2,3" 5
for k in 2 3; do probe_wait "$k" p "CONFCHG members=2,3 joined= left=1" 20; done
for k in 2 3; do node_quorate "$k" || e2e_fail "n$k (majority side) not quorate"; done
node_quorate 1 && e2e_fail "n1 (minority) still quorate"
e2e_note "split: n1 alone without quorum, n2+n3 quorate"

# Messages stay on their side.
probe_start 1 s -g e2e-part -n 1 -e 1 -t 10
probe_wait_exit 1 s 10
sleep 0.5
for k in 2 3; do ! grep -q "tag=n1-1" "$(probe_log "$k" p)" || e2e_fail "n$k got a message from the other side"; done

declare -A mark
for k in 1 2 3; do mark[$k]=$(probe_lines "$k" p); done
"$LAB/partition.sh" heal | sed 's/^/  /'
for k in 1 2 3; do probe_wait_after "$k" p "${mark[$k]}" "CONFCHG members=1,2,3 " 30; done
probe_wait_after 1 p "${mark[1]}" "QUORUM quorate=1 members=1,2,3" 10
for k in 1 2 3; do wait_until 10 node_quorate "$k" || e2e_fail "n$k not quorate after heal"; done
e2e_note "healed: one membership, quorate everywhere"
echo PASS
