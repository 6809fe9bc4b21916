#!/usr/bin/env bash
# Builds the CIB fuzzer (clang, libFuzzer + ASan + UBSan) in its own build dir
# and runs it for a bounded time. Not part of CI.
#   tests/fuzz/run-cib-fuzz.sh [SECONDS] [extra libFuzzer args...]
# New crashers land in $build/fuzz/artifacts; copy each into tests/cib-bad-inputs
# (with a .expect) once fixed.
set -euo pipefail
seconds=${1:-60}
shift || true
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${CRM_FUZZ_BUILD:-$top/build-fuzz-cib}
cmake -S "$top" -B "$build" -G Ninja -DCRM_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" >/dev/null
cmake --build "$build" --target cib_fuzz
corpus="$build/fuzz/corpus"
artifacts="$build/fuzz/artifacts"
mkdir -p "$corpus" "$artifacts"
# Seeds: our bad inputs and the smaller scheduler cases.
cp "$top"/tests/cib-bad-inputs/*.xml "$corpus"/ 2>/dev/null || true
shared="$top/../shared/scheduler-cases"
if [[ -d $shared ]]; then
  n=0
  while read -r f; do
    ((n++ < 80)) || break
    cp "$f" "$corpus/$(basename "$(dirname "$f")").xml"
  done < <(find "$shared" -name input.xml -size -12k | sort)
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec "$build/fuzz/cib_fuzz" "$corpus" -dict="$top/tests/fuzz/cib.dict" -max_len=65536 \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$artifacts/" -print_final_stats=1 "$@"
