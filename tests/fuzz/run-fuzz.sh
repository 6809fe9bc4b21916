#!/usr/bin/env bash
# Builds one fuzz target (clang, libFuzzer + ASan + UBSan) in its own build
# dir and runs it for a bounded time. Not part of CI (CI replays the kept
# inputs: the *_replay unit tests).
#   tests/fuzz/run-fuzz.sh TARGET [SECONDS] [extra libFuzzer args...]
#   TARGET: cib (the CIB parser and model), cib_wire (cibd's requests, with
#   ACLs), lrmd_wire (the executor's messages), crmd_wire (the controllers').
# The corpus grows in $build/fuzz/corpus-TARGET, seeded from
# tests/fuzz/corpus/TARGET; new crashers land in $build/fuzz/artifacts-TARGET:
# once fixed, copy each into tests/fuzz/corpus/TARGET (the CIB parser's go to
# tests/cib-bad-inputs with a .expect).
set -euo pipefail
target=${1:?usage: run-fuzz.sh cib|cib_wire|lrmd_wire|crmd_wire [SECONDS] [libFuzzer args...]}
seconds=${2:-60}
shift; shift || true
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${CRM_FUZZ_BUILD:-$top/build-fuzz}
cmake -S "$top" -B "$build" -G Ninja -DCRM_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" >/dev/null
cmake --build "$build" --target "${target}_fuzz"
corpus="$build/fuzz/corpus-$target"
artifacts="$build/fuzz/artifacts-$target"
mkdir -p "$corpus" "$artifacts"
extra=()
if [[ $target == cib ]]; then
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
  extra=(-dict="$top/tests/fuzz/cib.dict" -max_len=65536)
else
  cp "$top/tests/fuzz/corpus/$target"/* "$corpus"/
  extra=(-dict="$top/tests/fuzz/wire.dict" -max_len=16384)
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec "$build/fuzz/${target}_fuzz" "$corpus" "${extra[@]}" -max_total_time="$seconds" -timeout=10 \
  -rss_limit_mb=2048 -artifact_prefix="$artifacts/" -print_final_stats=1 "$@"
