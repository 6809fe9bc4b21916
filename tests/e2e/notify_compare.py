#!/usr/bin/env python3
"""Compares the clone notifications agents received on the lab with the
peer's decisions on the same scheduler inputs.

usage: notify_compare.py CRM_SIMULATE PE_INPUT_DIR NODE=ENVFILE...

Each ENVFILE holds what ocf:crm:Stateful appended for every action on NODE
("ACTION: KEY=VALUE" lines, sorted per call). Every pe-input-N.bz2 the DC
saved is given to the peer's crm_simulate (-G: its transition graph); its
notify operations, with their CRM_meta_notify_* attributes, are what the
peer's rules say each instance is told for that input. Each notification an
agent received must be one of them, on the same node, with every
CRM_meta_notify_* value equal (lists compared as sets of words: the peer
orders them by its internal hash tables). Prints one line per case; exit 1
on any mismatch."""
import glob
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

PREFIX = "OCF_RESKEY_CRM_meta_notify_"


def received(node, path):
    """The notify calls recorded on NODE: dicts of notify_* keys."""
    calls, cur = [], None
    for line in open(path, encoding="utf-8"):
        action, _, kv = line.rstrip("\n").partition(": ")
        key, _, value = kv.partition("=")
        if action != "notify":
            cur = None
            continue
        # A call's lines are sorted and hold each key once: a repeated key
        # starts the next call.
        if cur is None or key in cur["raw"]:
            cur = {"node": node, "raw": {}}
            calls.append(cur)
        cur["raw"][key] = value
    out = []
    for c in calls:
        out.append({"node": node, "attrs": {k[len(PREFIX):]: v for k, v in c["raw"].items() if k.startswith(PREFIX)}})
    return out


def peer_notifications(crm_simulate, pe_input):
    with tempfile.TemporaryDirectory() as tmp:
        graph = os.path.join(tmp, "graph.xml")
        r = subprocess.run([crm_simulate, "-x", pe_input, "-G", graph], capture_output=True, text=True)
        if r.returncode != 0 or not os.path.exists(graph):
            sys.exit("peer crm_simulate failed on %s: %s" % (pe_input, r.stderr.strip()))
        root = ET.parse(graph).getroot()
    out = []
    # The actions themselves (an <inputs> entry names one without its attributes).
    for op in root.findall("./synapse/action_set/rsc_op"):
        if op.get("operation") != "notify":
            continue
        attrs = op.find("attributes")
        notify = {k[len("CRM_meta_notify_"):]: v for k, v in attrs.attrib.items() if k.startswith("CRM_meta_notify_")}
        out.append({"node": op.get("on_node"), "attrs": notify, "input": os.path.basename(pe_input)})
    return out


def same(mine, peers):
    keys = set(mine) | set(peers)
    for k in keys:
        a, b = mine.get(k, ""), peers.get(k, "")
        if k in ("type", "operation", "key_type", "key_operation"):
            if a != b:
                return False
        elif sorted(a.split()) != sorted(b.split()):
            return False
    return True


def same_order(mine, peers):
    return all(mine.get(k, "").split() == peers.get(k, "").split() for k in set(mine) | set(peers))


def main():
    crm_simulate, pe_dir, pairs = sys.argv[1], sys.argv[2], sys.argv[3:]
    # The DC's kept inputs (bzip2, which the peer's crm_simulate reads too):
    # those that scheduled cleanly and those with warnings.
    inputs = sorted(glob.glob(os.path.join(pe_dir, "pe-input-*.bz2")) + glob.glob(os.path.join(pe_dir, "pe-warn-*.bz2")),
                    key=lambda p: os.path.getmtime(p))
    expected = [n for p in inputs for n in peer_notifications(crm_simulate, p)]
    got = []
    for pair in pairs:
        node, _, path = pair.partition("=")
        got.extend(received(node, path))
    if not got:
        sys.exit("no notification was recorded")
    bad = 0
    in_order = 0
    seen = set()
    for g in got:
        match = [e for e in expected if e["node"] == g["node"] and same(g["attrs"], e["attrs"])]
        kind = "%s-%s" % (g["attrs"].get("type", "?"), g["attrs"].get("operation", "?"))
        seen.add(g["attrs"].get("operation", "?"))
        if match:
            in_order += any(same_order(g["attrs"], e["attrs"]) for e in match)
            print("ok %s on %s = the peer's for %s" % (kind, g["node"], match[0]["input"]))
        else:
            bad += 1
            print("MISMATCH %s on %s: %s" % (kind, g["node"], g["attrs"]))
            near = [e for e in expected if e["node"] == g["node"] and e["attrs"].get("type") == g["attrs"].get("type")
                    and e["attrs"].get("operation") == g["attrs"].get("operation")]
            for e in near[:3]:
                print("   the peer's (%s): %s" % (e["input"], e["attrs"]))
    print("%d notifications received, %d equal to the peer's (%d with every list in the peer's order); "
          "%d peer notify actions over %d inputs; operations: %s"
          % (len(got), len(got) - bad, in_order, len(expected), len(inputs), " ".join(sorted(seen))))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
