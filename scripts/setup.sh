#!/usr/bin/env bash
# Installs every Debian 12 package the project needs to build, test and run its
# lab cluster. Idempotent: packages already present are left alone.
# Usage: scripts/setup.sh [--peer]   (--peer also installs Debian's pacemaker for comparisons)
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
  # libraries
  libxml2-dev libxml2-utils libboost-dev libboost-graph-dev libfmt-dev libcli11-dev
  libssl-dev libreadline-dev libsystemd-dev libbz2-dev
  nlohmann-json3-dev libgraphviz-dev  # crm_web: its view as JSON, its pictures drawn by Graphviz
  libfuse3-dev fuse3  # crm-repldisk serves its copy through FUSE (the loop device on top needs util-linux's losetup)
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  # corosync messaging and quorum
  corosync libcorosync-common-dev libcpg-dev libquorum-dev libvotequorum-dev libcmap-dev libqb-dev
  # agents and what they run on
  resource-agents fence-agents iproute2 iptables procps psmisc e2fsprogs util-linux
  pacemaker-resource-agents iputils-ping  # the peer's ocf:pacemaker:ping and Stateful (they need only resource-agents) and the ping they run
  openipmi ipmitool  # the lab's BMCs (ipmi_sim) that fence_ipmilan fences through
  kmod  # modprobe, which ocf:heartbeat:Filesystem requires
  python3 curl  # ocf:crm:WebServer (python3 http.server) and the demo's client; e2e status queries
  systemd dbus  # lrmd_systemd_test runs a real systemd (and a D-Bus system bus) as PID 1 of test namespaces
  debootstrap  # package_install_test installs the package into a fresh Debian 12 root
  crmsh bsdutils  # e2e_cluster_crmsh: the real crmsh drives the lab (it pulls the peer's pacemaker, which the test hides from the nodes); bsdutils's script gives crm configure edit a terminal
  # real services as cluster resources (e2e_cluster_services_*, docs/services.md): each lab
  # node runs its own instance with its own configuration, never the host's default one
  apache2 nginx mariadb-server mariadb-client ldirectord ipvsadm tgt libiscsi-bin
  # the HA stacks the importers read, run on the lab beside their imports
  # (e2e_keepalived_compare, e2e_heartbeat_compare; keepalived also gives its samples)
  keepalived heartbeat
  # the dashboard in a real browser (e2e_cluster_web): Debian's chromium driven by playwright-core
  # (npm; node and npm from Debian only when the machine has none: see below)
  chromium fonts-dejavu-core
  # measurement
  time
)
if [[ "${1:-}" == "--peer" ]]; then
  packages+=(pacemaker pacemaker-cli-utils)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# A machine may bring its own node and npm (not Debian's, which would conflict).
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]})); then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  # No service starts during the install (the peer's pacemaker, which crmsh
  # pulls in, or corosync with its default configuration): the lab runs its
  # own, in namespaces. policy-rc.d is Debian's switch for that.
  policy=/usr/sbin/policy-rc.d
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 0755 "$policy"
    trap '$SUDO rm -f "$policy"' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all packages present"
fi

# playwright-core (the npm package only: it drives Debian's chromium, it
# downloads no browser) for e2e_cluster_web, in one place every test finds.
web_test=/usr/local/lib/crm-web-test
if [[ ! -d $web_test/node_modules/playwright-core ]]; then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  echo "setup: installing playwright-core in $web_test"
  $SUDO mkdir -p "$web_test"
  $SUDO npm install --prefix "$web_test" --no-audit --no-fund --loglevel=error playwright-core >/dev/null \
    || echo "setup: npm could not install playwright-core: e2e_cluster_web will be skipped" >&2
fi
