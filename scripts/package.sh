#!/usr/bin/env bash
# Builds a release tree and makes the Debian package from it (CPack,
# packaging/CMakeLists.txt): crm-cluster and crm-cluster-web (crm_web).
# Prints crm-cluster's .deb path on the last line.
# Usage: scripts/package.sh [BUILD_DIR]   (default build/, RelWithDebInfo)
# Install it on a Debian 12 host with corosync configured:
#   apt-get install ./crm-cluster_*.deb crmsh && systemctl enable --now corosync crm
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
"$top/scripts/build.sh" "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
build=$(cd "$build" && pwd)
if grep -q '^CRM_SANITIZE:BOOL=ON' "$build/CMakeCache.txt"; then
    echo "package: note: $build is built with CRM_SANITIZE=ON; the package's programs carry ASan/UBSan" >&2
fi
rm -f "$build"/crm-cluster_*.deb "$build"/crm-cluster-web_*.deb
cpack --config "$build/CPackConfig.cmake" -B "$build" >&2
deb=$(ls "$build"/crm-cluster_*.deb)
for d in "$build"/crm-cluster-web_*.deb "$deb"; do dpkg-deb -f "$d" Package Version Depends >&2; done
echo "$deb"
