#!/usr/bin/env bash
# The test command: sets up a fresh Debian 12 machine, builds with ASan+UBSan
# and runs every test (unit, scheduler suite, CLI, end-to-end lab).
# Usage: scripts/test.sh [ctest args...]   e.g. scripts/test.sh -L unit
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh"
build="$top/build-asan"
"$top/scripts/build.sh" "$build" -DCRM_SANITIZE=ON -DCMAKE_BUILD_TYPE=Sanitize
# The lab's nodes run our agents from the system's OCF root, as the demo does.
install -d /usr/lib/ocf/resource.d/crm
install -m 0755 "$top"/agents/ocf/* /usr/lib/ocf/resource.d/crm/
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$build"
# Tests at a time (CRM_TEST_JOBS): one per core, at least two and at most
# four. Most e2e tests wait on their lab, so one runs beside a unit test or a
# second lab; each lab has its own namespaces.
cores=$(nproc 2>/dev/null || echo 2)
jobs=${CRM_TEST_JOBS:-$(( cores < 2 ? 2 : (cores > 4 ? 4 : cores) ))}
rc=0
ctest --output-on-failure --timeout 900 -j"$jobs" "$@" || rc=$?
# A failed test's own words are lost in the middle of a long log: repeat, at
# the end, the lines of each failed test that say why (the e2e tests' FAIL
# line, gtest's failures, the sanitizers' reports) and its last lines.
failed=Testing/Temporary/LastTestsFailed.log
if [ "$rc" -ne 0 ] && [ -s "$failed" ]; then
    echo "==== why each failed test failed ===="
    cut -d: -f2- "$failed" | while read -r name; do
        out=$(awk -v t="$name" '$0 ~ ("^[0-9]+/[0-9]+ Test: " t "$") {on=1; next} on && /^<end of output>/ {exit} on' \
              Testing/Temporary/LastTest.log)
        echo "---- $name"
        echo "$out" | grep -E "^FAIL|Failure|^Expected|Which is|ERROR: AddressSanitizer|runtime error|SUMMARY:|Timeout|Exception" | head -n 25 || true
        echo "     ... its last lines:"
        echo "$out" | tail -n 12
    done
fi
exit "$rc"
