#!/bin/bash
# pacemaker-{controld,schedulerd,based,fenced} metadata/version, as crmsh calls
# them, compared with the peer's regression.daemons.exp (versions and defaults
# emptied as its filter does); and our own daemons answering the same words.
# usage: pacemaker_daemons_test.sh BUILD_DIR SOURCE_DIR
set -u
BUILD=$1
SRC=$2
DIR=$BUILD/lib/pacemaker
GOLD=$SRC/core/testdata/daemon-metadata
fail=0
tmp=$(mktemp -d /tmp/pacemaker_daemons_test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

filter() { sed -e 's/ default="[^"]*"/ default=""/' -e 's/ version="[^"]*"/ version=""/'; }

for d in controld schedulerd based fenced; do
  # As crmsh runs it: a bare name found on PATH.
  out=$(PATH="$DIR:$PATH" pacemaker-$d metadata 2>"$tmp/err"); rc=$?
  if [ $rc != 0 ] || [ -s "$tmp/err" ]; then echo "FAIL $d metadata: rc=$rc err=$(cat "$tmp/err")"; fail=1; continue; fi
  if ! diff <(printf '%s\n' "$out" | filter) "$GOLD/$d.xml" >"$tmp/diff"; then
    echo "FAIL $d metadata differs from the peer's:"; head -20 "$tmp/diff"; fail=1
  else echo "ok $d metadata"; fi
  printf '%s\n' "$out" | xmllint --noout - 2>/dev/null || { echo "FAIL $d metadata is not XML"; fail=1; }
  v=$("$DIR/pacemaker-$d" version 2>"$tmp/err"); rc=$?
  if [ $rc != 0 ] || [ -s "$tmp/err" ] || ! [[ "$v" =~ ^CRM\ Version:\ 2\.1\.5\ \(.+\)$ ]]; then
    echo "FAIL $d version: rc=$rc out='$v' err=$(cat "$tmp/err")"; fail=1
  else echo "ok $d version ($v)"; fi
done

# crmsh's parse of the version (utils.get_pcmk_version): stdout's third word.
v=$("$DIR/pacemaker-controld" version | awk '{print $3}')
[ "$v" = "2.1.5" ] && echo "ok version parse" || { echo "FAIL version parse: '$v'"; fail=1; }

# Defaults the metadata carries (the peer's exp empties them).
"$DIR/pacemaker-schedulerd" metadata | grep -q '<content type="select" default="stop">' \
  && echo "ok schedulerd defaults" || { echo "FAIL no-quorum-policy default"; fail=1; }
"$DIR/pacemaker-fenced" metadata | grep -A3 'name="pcmk_host_check"' | grep -q 'default="dynamic-list"' \
  && echo "ok fenced defaults" || { echo "FAIL pcmk_host_check default"; fail=1; }

# Anything else is a usage error (the peer's daemons would start instead).
"$DIR/pacemaker-controld" >/dev/null 2>&1; rc=$?
[ $rc = 64 ] && echo "ok no argument: 64" || { echo "FAIL no argument: rc=$rc"; fail=1; }
"$DIR/pacemaker-controld" bogus >/dev/null 2>&1; rc=$?
[ $rc = 64 ] && echo "ok bogus argument: 64" || { echo "FAIL bogus argument: rc=$rc"; fail=1; }

# Our daemons answer the same (without starting: no corosync, no sockets).
for pair in crmd:controld cibd:based fenced:fenced; do
  bin=$BUILD/bin/${pair%%:*}; d=${pair##*:}
  [ -x "$bin" ] || { echo "skip ${pair%%:*} (not built)"; continue; }
  out=$(timeout 10 "$bin" metadata 2>"$tmp/err"); rc=$?
  if [ $rc != 0 ] || ! diff <(printf '%s\n' "$out" | filter) "$GOLD/$d.xml" >/dev/null; then
    echo "FAIL ${pair%%:*} metadata: rc=$rc err=$(cat "$tmp/err")"; fail=1
  else echo "ok ${pair%%:*} metadata"; fi
  v=$(timeout 10 "$bin" version 2>"$tmp/err"); rc=$?
  if [ $rc != 0 ] || ! [[ "$v" =~ ^CRM\ Version:\ 2\.1\.5\  ]]; then
    echo "FAIL ${pair%%:*} version: rc=$rc out='$v'"; fail=1
  else echo "ok ${pair%%:*} version"; fi
done
exit $fail
