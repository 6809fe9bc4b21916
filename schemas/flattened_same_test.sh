#!/bin/bash
# The flattened grammar crmsh reads (flatten.py) accepts and refuses exactly
# what cib.rng with its includes does, on every scheduler case's CIB and on
# a few broken ones; crmsh's lookups find what they need in it (op's
# attributes, configuration's sections, node's type).
# Usage: flattened_same_test.sh SCHEMA_DIR FLAT_RNG SHARED_DIR
set -euo pipefail
src=$1 flat=$2 shared=$3
command -v xmllint >/dev/null || { echo "SKIP: no xmllint"; exit 77; }
[ -f "$flat" ] || { echo "FAIL: $flat was not generated"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
verdict() { xmllint --noout --relaxng "$1" "$2" >/dev/null 2>&1 && echo valid || echo invalid; }
n=0 bad=0
check() {
    local a b
    a=$(verdict "$src/cib.rng" "$1"); b=$(verdict "$flat" "$1")
    n=$((n + 1))
    [ "$a" = "$b" ] || { echo "FAIL: $1: cib.rng says $a, the flattened grammar says $b"; bad=$((bad + 1)); }
    [ "$a" = valid ] || invalid=$((invalid + 1))
}
invalid=0
for f in "$shared"/scheduler-cases/*/input.xml "$shared"/scheduler-cases-advanced/*/input.xml; do
    [ -f "$f" ] && check "$f"
done
cases_invalid=$invalid
printf '<cib validate-with="pacemaker-3.8" epoch="1"><configuration><crm_config/><nodes/><resources><primitive id="p" class="ocf" type="Dummy"><operations><op id="o" name="monitor" interval="10s" on-fail="explode"/></operations></primitive></resources><constraints/></configuration><status/></cib>' > "$tmp/bad-onfail.xml"
printf '<cib validate-with="pacemaker-3.8" epoch="1"><configuration><crm_config/><nodes/><resources/></configuration><status/></cib>' > "$tmp/no-constraints.xml"
printf '<cib validate-with="pacemaker-3.8" epoch="1"><configuration><crm_config/><nodes/><resources/><constraints/><bogus/></configuration><status/></cib>' > "$tmp/bogus.xml"
for f in "$tmp"/*.xml; do check "$f"; done
[ "$invalid" -eq $((cases_invalid + 3)) ] || { echo "FAIL: a broken CIB was accepted"; bad=$((bad + 1)); }
# What crmsh looks up, in the one file.
python3 - "$flat" <<'PY' || bad=$((bad + 1))
import sys, xml.etree.ElementTree as ET
R = "{http://relaxng.org/ns/structure/1.0}"
g = ET.parse(sys.argv[1]).getroot()
assert g.find(R + "start") is not None, "no <start>"
assert not g.findall(".//" + R + "include"), "an <include> is left"
defines = {d.get("name") for d in g.iter(R + "define")}
for ref in g.iter(R + "ref"):
    assert ref.get("name") in defines, "dangling ref " + ref.get("name")
op = [e for e in g.iter(R + "element") if e.get("name") == "op"][0]
attrs = {a.get("name") for a in op.iter(R + "attribute")}
for a in ("id", "name", "interval", "timeout", "on-fail", "role"):
    assert a in attrs, "op lacks " + a
assert [e for e in g.iter(R + "element") if e.get("name") == "configuration"], "no configuration"
node = [e for e in g.iter(R + "element") if e.get("name") == "node"][0]
PY
echo "$n CIBs checked with both grammars ($invalid refused by both), $bad problems"
[ "$bad" -eq 0 ] && echo PASS
