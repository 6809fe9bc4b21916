#!/bin/bash
# node-install.sh K STAGE — node K sees the package tree STAGE (a DESTDIR of
# `cmake --install --prefix /usr`) installed over the host's /usr, and none
# of the peer's files: inside the node's mount namespace /usr/sbin, /usr/lib
# and /usr/share become read-only overlays whose top layer holds our files
# and a whiteout for every file the peer's packages (pacemaker,
# pacemaker-cli-utils, pacemaker-common) put there. Programs run in the node
# (crmsh, agents, scripts) thus find our tools where the peer's would be.
# Also writes the node's /etc/hosts with every lab node's name, which crmsh
# resolves and pings. Undone when the lab goes down (the namespace goes).
set -euo pipefail
. "$(dirname "$0")/lab-common.sh"
need_root
[ $# -eq 2 ] || { echo "usage: node-install.sh K STAGE" >&2; exit 2; }
k=$1 stage=$(cd "$2" && pwd)
[ -d "$stage/usr/sbin" ] || die "$stage has no usr/sbin: not an install tree"
view=$(node_dir "$k")/package-view
rm -rf "$view"
mkdir -p "$view"
for d in sbin lib share; do
    mkdir -p "$view/$d"
    [ -d "$stage/usr/$d" ] && cp -a "$stage/usr/$d/." "$view/$d/"
done
# Whiteouts (0/0 character devices) hide the peer's files that are not ours.
peer_files=$(dpkg-query -L pacemaker pacemaker-cli-utils pacemaker-common 2>/dev/null | grep -E '^/usr/(sbin|lib|share)/' || true)
for f in $peer_files; do
    if [ -d "$f" ] && [ ! -L "$f" ]; then
        # A directory of the peer's own (…/pacemaker/alerts): hidden whole.
        case "$f" in */pacemaker/*) ;; *) continue ;; esac
    fi
    rel=${f#/usr/}
    [ -e "$view/$rel" ] || [ -L "$view/$rel" ] && continue
    [ -d "$(dirname "$view/$rel")" ] || [ ! -c "$(dirname "$view/$rel")" ] || continue  # under a hidden directory
    mkdir -p "$(dirname "$view/$rel")"
    mknod "$view/$rel" c 0 0
done
( node_exec "$k" sh -c '
    set -e
    for d in sbin lib share; do
        mount -t overlay "crm-$d" -o "lowerdir=$1/$d:/usr/$d" "/usr/$d"
    done' sh "$view" )
node_mount_baseline "$k"
node_hosts "$k"
echo "n$k: /usr/sbin, /usr/lib, /usr/share show $stage over the host's, the peer's files hidden"
