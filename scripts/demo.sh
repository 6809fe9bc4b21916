#!/usr/bin/env bash
# The main job. For now: set up, build, and run the policy engine on a shipped
# example configuration (later: a live 3-node lab cluster that fails over).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh"
"$top/scripts/build.sh" "$top/build"
echo "crm core built in $top/build"
