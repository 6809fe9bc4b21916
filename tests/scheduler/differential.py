#!/usr/bin/env python3
"""Differential testing of the scheduler against the peer's (issue #13).

Matching the peer's regression cases one by one can fit those cases without
finding the rules behind them. This generates CIBs at random (seeded: case
K of seed S is always the same CIB) over the features real configurations
use, runs each through our crm_simulate and the peer's on the same input,
and compares what they decide:

  summary    the Transition Summary lines, as sets (padding ignored)
  scores     the allocation and promotion scores (-s), which decide placement
             (the peer's "Revised Cluster Status" is not compared: its
             simulated execution can show a moved resource on both nodes)
  graph      the transition graph (-G): every action (element, operation
             key, node) and every ordering input, ids and order ignored

It prints the agreement per aspect, and per feature (a case counts for every
feature it uses), and keeps each disagreement (input, both outputs) under
--keep for study; once understood, one becomes a regression case.
Benchmark-like: it prints figures and asserts nothing (exit 0 unless a
program could not run at all).

  tests/scheduler/differential.py --ours build/bin/crm_simulate --cases 2000
  tests/scheduler/differential.py --ours build/bin/crm_simulate --seed 7 --only 123 -v
"""
import argparse
import collections
import hashlib
import concurrent.futures
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from xml.sax.saxutils import quoteattr

UUID = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"


def op_digest(interval_ms=0, timeout_ms=20000):
    """The digest of an operation's parameters as the peer records it (the
    agents here have none; recurring operations add their timeout): a history
    without digests would read as a definition change to the peer."""
    attrs = {"CRM_meta_timeout": str(timeout_ms)} if interval_ms else {}
    body = "".join(" %s=%s" % (k, quoteattr(attrs[k])) for k in sorted(attrs))
    return hashlib.md5((" <parameters%s/>\n" % body).encode()).hexdigest()


class Cib:
    """Builds one random CIB; `features` names what it uses."""

    def __init__(self, rng):
        self.rng = rng
        self.features = set()
        self.nodes = []
        self.online = {}
        self.node_attrs = collections.defaultdict(dict)      # permanent (standby, capacity)
        self.transient = collections.defaultdict(dict)       # fail counts, promotion scores
        self.utilization = {}
        self.resources = []      # XML text of each top-level resource
        self.constraints = []
        self.history = collections.defaultdict(list)         # node -> lrm_resource XML
        self.tickets = []
        self.options = {}
        self.call = 10

    def op(self, rsc, node, operation, rc=0, interval=0, target=0, status=0):
        self.call += 1
        key = "%s_%s_%d" % (rsc, operation, interval)
        op_id = key if interval else rsc + "_last_0"
        if rc != target and not (operation == "monitor" and interval == 0):
            op_id = rsc + "_last_failure_0"
        tkey = "%d:1:%d:%s" % (self.call, target, UUID)
        return ('<lrm_rsc_op id=%s operation_key=%s operation=%s crm-debug-origin="gen" crm_feature_set="3.16.1" '
                'transition-key=%s transition-magic=%s call-id="%d" rc-code="%d" op-status="%d" interval="%d" '
                'last-rc-change="1700000000" exec-time="10" queue-time="0" on_node=%s op-digest="%s"/>' %
                (quoteattr(op_id), quoteattr(key), quoteattr(operation), quoteattr(tkey),
                 quoteattr("%d:%d;%s" % (status, rc, tkey)), self.call, rc, status, interval, quoteattr(node),
                 op_digest(interval)))

    def record(self, rsc, agent, node, ops):
        cls, prov, typ = agent
        self.history[node].append('<lrm_resource id=%s class=%s provider=%s type=%s>%s</lrm_resource>' %
                                  (quoteattr(rsc), quoteattr(cls), quoteattr(prov), quoteattr(typ), "".join(ops)))

    def probe_everywhere(self, rsc, agent, running_on, promoted=False, failed=None):
        """History of `rsc`: probed on every online node, running on `running_on`."""
        for n in self.nodes:
            if not self.online[n]:
                continue
            ops = [self.op(rsc, n, "monitor", rc=7, target=7)]
            if n in running_on:
                ops = [self.op(rsc, n, "monitor", rc=7, target=7), self.op(rsc, n, "start")]
                if promoted:
                    ops.append(self.op(rsc, n, "promote"))
                if failed == n:
                    ops.append(self.op(rsc, n, "monitor", rc=1, interval=10000, target=0))
                    self.transient[n]["fail-count-%s#monitor_10000" % rsc] = "1"
                    self.transient[n]["last-failure-%s#monitor_10000" % rsc] = "1700000000"
                else:
                    ops.append(self.op(rsc, n, "monitor", interval=10000 if not promoted else 11000,
                                       target=0 if not promoted else 8, rc=0 if not promoted else 8))
            self.record(rsc, agent, n, ops)

    def primitive(self, rid, agent=("ocf", "pacemaker", "Dummy"), meta=None, monitor=10000, util=None):
        cls, prov, typ = agent
        m = "".join('<nvpair id="%s-m-%s" name="%s" value="%s"/>' % (rid, k, k, v) for k, v in (meta or {}).items())
        u = "".join('<nvpair id="%s-u-%s" name="%s" value="%s"/>' % (rid, k, k, v) for k, v in (util or {}).items())
        ops = ""
        if monitor:
            ops = '<operations><op id="%s-mon" name="monitor" interval="%dms"/></operations>' % (rid, monitor)
        return ('<primitive id=%s class=%s %stype=%s>%s%s%s</primitive>' %
                (quoteattr(rid), quoteattr(cls), ('provider=%s ' % quoteattr(prov)) if prov else "", quoteattr(typ),
                 ('<meta_attributes id="%s-meta">%s</meta_attributes>' % (rid, m)) if m else "",
                 ('<utilization id="%s-util">%s</utilization>' % (rid, u)) if u else "", ops))

    def build(self):
        rng = self.rng
        n_nodes = rng.randint(2, 5)
        self.nodes = ["node%d" % (i + 1) for i in range(n_nodes)]
        for n in self.nodes:
            self.online[n] = True
        if n_nodes > 2 and rng.random() < 0.25:
            self.online[rng.choice(self.nodes[1:])] = False
            self.features.add("node-offline")
        if rng.random() < 0.2:
            self.node_attrs[rng.choice(self.nodes)]["standby"] = "on"
            self.features.add("standby")
        # Without fencing: the generated clusters have no fence device (the
        # peer would refuse to start anything with fencing on and none).
        self.options["stonith-enabled"] = "false"
        self.options["no-quorum-policy"] = rng.choice(["stop", "ignore", "freeze"])
        if rng.random() < 0.15:
            self.options["symmetric-cluster"] = "false"
            self.features.add("opt-in")
        utilization = rng.random() < 0.2
        if utilization:
            self.options["placement-strategy"] = rng.choice(["utilization", "balanced", "minimal"])
            for n in self.nodes:
                self.node_attrs[n]["#cpu"] = str(rng.randint(2, 8))
            self.features.add("utilization")
        stickiness = rng.choice([0, 0, 50, 100, 1000])
        if stickiness:
            self.features.add("stickiness")
        online = [n for n in self.nodes if self.online[n]]
        names = []

        def where():
            """Where a resource runs now: nowhere, or one online node."""
            if rng.random() < 0.3:
                return []
            return [rng.choice(online)]

        # Primitives.
        for i in range(rng.randint(2, 7)):
            rid = "rsc%d" % i
            meta = {}
            if rng.random() < 0.15:
                meta["target-role"] = "Stopped"
                self.features.add("target-role")
            if rng.random() < 0.2:
                meta["allow-migrate"] = "true"
                self.features.add("live-migration")
            if rng.random() < 0.15:
                meta["migration-threshold"] = str(rng.choice([1, 2, 3]))
                self.features.add("migration-threshold")
            util = {"cpu": str(rng.randint(1, 3))} if utilization else None
            self.resources.append(self.primitive(rid, meta=meta, util=util))
            on = where()
            failed = on[0] if on and rng.random() < 0.2 else None
            if failed:
                self.features.add("failed-op")
            self.probe_everywhere(rid, ("ocf", "pacemaker", "Dummy"), on, failed=failed)
            names.append(rid)
        # A group.
        if rng.random() < 0.5:
            self.features.add("group")
            members = ["grp-a", "grp-b", "grp-c"][:rng.randint(2, 3)]
            on = where()
            self.resources.append('<group id="grp">%s</group>' % "".join(self.primitive(m) for m in members))
            for m in members:
                self.probe_everywhere(m, ("ocf", "pacemaker", "Dummy"), on)
            names.append("grp")
        # A clone (anonymous, or unique).
        if rng.random() < 0.5:
            self.features.add("clone")
            meta = '<meta_attributes id="cl-meta"><nvpair id="cl-max" name="clone-max" value="%d"/>' % rng.randint(1, n_nodes)
            if rng.random() < 0.3:
                meta += '<nvpair id="cl-inter" name="interleave" value="true"/>'
            meta += '</meta_attributes>'
            self.resources.append('<clone id="cl">%s%s</clone>' % (meta, self.primitive("cl-rsc")))
            running = [n for n in online if rng.random() < 0.6]
            self.probe_everywhere("cl-rsc", ("ocf", "pacemaker", "Dummy"), running)
            names.append("cl")
        # A promotable clone.
        if rng.random() < 0.35:
            self.features.add("promotable")
            self.resources.append(
                '<clone id="ms"><meta_attributes id="ms-meta"><nvpair id="ms-p" name="promotable" value="true"/>'
                '</meta_attributes><primitive id="ms-rsc" class="ocf" provider="pacemaker" type="Stateful">'
                '<operations><op id="ms-mon-p" name="monitor" interval="11s" role="Promoted"/>'
                '<op id="ms-mon-u" name="monitor" interval="12s" role="Unpromoted"/></operations></primitive></clone>')
            running = [n for n in online if rng.random() < 0.7]
            promoted = rng.choice(running) if running and rng.random() < 0.6 else None
            for n in self.nodes:
                if not self.online[n]:
                    continue
                ops = [self.op("ms-rsc", n, "monitor", rc=7, target=7)]
                if n in running:
                    ops.append(self.op("ms-rsc", n, "start"))
                    if n == promoted:
                        ops.append(self.op("ms-rsc", n, "promote"))
                        ops.append(self.op("ms-rsc", n, "monitor", rc=8, target=8, interval=11000))
                    else:
                        ops.append(self.op("ms-rsc", n, "monitor", interval=12000))
                    self.transient[n]["master-ms-rsc"] = str(rng.choice([5, 10, 100]))
                self.record("ms-rsc", ("ocf", "pacemaker", "Stateful"), n, ops)
            names.append("ms")
        # Constraints.
        for i in range(rng.randint(0, 5)):
            kind = rng.choice(["location", "location", "colocation", "order"])
            a = rng.choice(names)
            if kind == "location":
                self.features.add("location")
                score = rng.choice(["INFINITY", "-INFINITY", "100", "-100", "50", "200"])
                node = rng.choice(self.nodes)
                if rng.random() < 0.3:
                    self.features.add("location-rule")
                    self.constraints.append(
                        '<rsc_location id="loc%d" rsc="%s"><rule id="loc%d-r" score="%s"><expression id="loc%d-e" '
                        'attribute="#uname" operation="eq" value="%s"/></rule></rsc_location>' % (i, a, i, score, i, node))
                else:
                    self.constraints.append('<rsc_location id="loc%d" rsc="%s" node="%s" score="%s"/>' % (i, a, node, score))
            else:
                b = rng.choice([x for x in names if x != a] or [a])
                if a == b:
                    continue
                if kind == "colocation":
                    self.features.add("colocation")
                    score = rng.choice(["INFINITY", "-INFINITY", "500", "-500"])
                    self.constraints.append('<rsc_colocation id="col%d" rsc="%s" with-rsc="%s" score="%s"/>' % (i, a, b, score))
                else:
                    self.features.add("order")
                    kind_s = rng.choice(["Mandatory", "Optional"])
                    self.constraints.append('<rsc_order id="ord%d" first="%s" then="%s" kind="%s"/>' % (i, a, b, kind_s))
        if rng.random() < 0.25:
            self.features.add("ticket")
            a = rng.choice(names)
            loss = rng.choice(["stop", "demote", "freeze"])
            self.constraints.append('<rsc_ticket id="tk" rsc="%s" ticket="T" loss-policy="%s"/>' % (a, loss))
            state = rng.choice(["granted", "revoked", "standby", "none"])
            if state != "none":
                self.tickets.append('<ticket_state id="T" granted="%s"%s/>' %
                                    ("false" if state == "revoked" else "true",
                                     ' standby="true"' if state == "standby" else ""))
        self.stickiness = stickiness

    def xml(self):
        opts = "".join('<nvpair id="o-%s" name="%s" value="%s"/>' % (k, k, v) for k, v in self.options.items())
        nodes = ""
        for n in self.nodes:
            attrs = {k: v for k, v in self.node_attrs[n].items() if not k.startswith("#")}
            caps = {k[1:]: v for k, v in self.node_attrs[n].items() if k.startswith("#")}
            ia = "".join('<nvpair id="%s-a-%s" name="%s" value="%s"/>' % (n, k, k, v) for k, v in attrs.items())
            ut = "".join('<nvpair id="%s-u-%s" name="%s" value="%s"/>' % (n, k, k, v) for k, v in caps.items())
            nodes += '<node id="%s" uname="%s">%s%s</node>' % (
                n, n, ('<instance_attributes id="%s-ia">%s</instance_attributes>' % (n, ia)) if ia else "",
                ('<utilization id="%s-ut">%s</utilization>' % (n, ut)) if ut else "")
        status = ""
        for n in self.nodes:
            if not self.online[n]:
                status += '<node_state id="%s" uname="%s" in_ccm="false" crmd="offline" join="down" expected="down"/>' % (n, n)
                continue
            ta = "".join('<nvpair id="%s-t-%s" name="%s" value="%s"/>' % (n, re.sub(r"[^\w.-]", "_", k), k, v)
                         for k, v in self.transient[n].items())
            status += ('<node_state id="%s" uname="%s" in_ccm="true" crmd="online" join="member" expected="member" '
                       'crm-debug-origin="gen">%s<lrm id="%s"><lrm_resources>%s</lrm_resources></lrm></node_state>' %
                       (n, n, ('<transient_attributes id="%s"><instance_attributes id="%s-ta">%s</instance_attributes>'
                               '</transient_attributes>' % (n, n, ta)) if ta else "", n, "".join(self.history[n])))
        if self.tickets:
            status += "<tickets>%s</tickets>" % "".join(self.tickets)
        defaults = ""
        if self.stickiness:
            defaults = ('<rsc_defaults><meta_attributes id="rsc-options"><nvpair id="rsc-stick" '
                        'name="resource-stickiness" value="%d"/></meta_attributes></rsc_defaults>' % self.stickiness)
        return ('<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.7" epoch="1" num_updates="0" admin_epoch="0" '
                'have-quorum="1" dc-uuid="node1"><configuration><crm_config><cluster_property_set '
                'id="cib-bootstrap-options">%s</cluster_property_set></crm_config><nodes>%s</nodes><resources>%s'
                '</resources><constraints>%s</constraints>%s</configuration><status>%s</status></cib>\n' %
                (opts, nodes, "".join(self.resources), "".join(self.constraints), defaults, status))


def generate(seed, index):
    c = Cib(random.Random(seed * 1000003 + index))
    c.build()
    return c.xml(), sorted(c.features)


def section(text, title):
    """The lines of a crm_simulate section ("Transition Summary:")."""
    out, inside = [], False
    for line in text.splitlines():
        if line.startswith(title):
            inside = True
            continue
        if inside:
            if line and not line.startswith(" "):
                break
            if line.strip():
                out.append(" ".join(line.split()))
    return out


def scores(text):
    return sorted(" ".join(l.split()) for l in text.splitlines() if " score on " in l)


def graph_view(path):
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError):
        return None
    def name(e):
        return "%s %s@%s" % (e.tag, e.get("operation_key"), e.get("on_node", ""))
    actions, inputs = set(), set()
    for syn in root.iter("synapse"):
        acts = [name(a) for s in syn.iter("action_set") for a in s]
        actions.update(acts)
        for trig in syn.iter("trigger"):
            for t in trig:
                for a in acts:
                    inputs.add(name(t) + " -> " + a)
    return actions, inputs


def run(binary, cib_path, graph_path, timeout):
    """-S -G for the summary and graph, then -s for the scores (with -s the
    peer prints its sections without their headings)."""
    env = dict(os.environ, TZ="UTC")
    p = subprocess.run([binary, "-x", cib_path, "-S", "-G", graph_path], capture_output=True, text=True,
                       timeout=timeout, env=env)
    q = subprocess.run([binary, "-x", cib_path, "-s"], capture_output=True, text=True, timeout=timeout, env=env)
    return p.returncode or q.returncode, p.stdout + p.stderr + "\n==== -s\n" + q.stdout + q.stderr


def one_case(args, index, work):
    text, features = generate(args.seed, index)
    base = os.path.join(work, "case-%d" % index)
    os.makedirs(base, exist_ok=True)
    cib = os.path.join(base, "input.xml")
    with open(cib, "w") as f:
        f.write(text)
    results = {}
    for who, binary in (("ours", args.ours), ("peer", args.peer)):
        t0 = time.monotonic()
        rc, out = run(binary, cib, os.path.join(base, who + "-graph.xml"), args.timeout)
        results[who] = (rc, out, time.monotonic() - t0)
        with open(os.path.join(base, who + ".out"), "w") as f:
            f.write(out)
    (orc, oout, ot), (prc, pout, pt) = results["ours"], results["peer"]
    verdict = {}
    if prc != 0:
        verdict["error"] = "the peer failed (rc %d)" % prc
        return index, features, verdict, ot, pt
    verdict["summary"] = orc == 0 and sorted(section(oout, "Transition Summary:")) == sorted(section(pout, "Transition Summary:"))
    verdict["scores"] = orc == 0 and scores(oout) == scores(pout)
    og, pg = graph_view(os.path.join(base, "ours-graph.xml")), graph_view(os.path.join(base, "peer-graph.xml"))
    verdict["graph"] = orc == 0 and og is not None and og == pg
    return index, features, verdict, ot, pt


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ours", required=True)
    ap.add_argument("--peer", default="/usr/sbin/crm_simulate")
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", type=int, help="run this one case (and print both outputs)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--keep", help="directory for the disagreeing cases (default: a temporary one, removed)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if not os.access(args.peer, os.X_OK):
        print("the peer's crm_simulate (%s) is not installed: nothing to compare" % args.peer)
        return 0
    work = tempfile.mkdtemp(prefix="crm-differential.")
    indices = [args.only] if args.only is not None else range(args.cases)
    t0 = time.monotonic()
    per_feature = collections.defaultdict(lambda: collections.Counter())
    totals = collections.Counter()
    disagreements = []
    ours_t = peer_t = 0.0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for index, features, verdict, ot, pt in pool.map(lambda i: one_case(args, i, work), indices):
            ours_t += ot
            peer_t += pt
            if "error" in verdict:
                totals["peer-error"] += 1
                continue
            totals["cases"] += 1
            for aspect in ("summary", "scores", "graph"):
                totals[aspect] += verdict[aspect]
            for f in features + ["(all)"]:
                per_feature[f]["cases"] += 1
                for aspect in ("summary", "scores", "graph"):
                    per_feature[f][aspect] += verdict[aspect]
            if not all(verdict[a] for a in ("summary", "scores", "graph")):
                disagreements.append((index, features, verdict))
            if args.verbose or args.only is not None:
                print("case %d %s: %s" % (index, ",".join(features),
                                          " ".join("%s=%s" % (a, "same" if verdict[a] else "DIFFERS")
                                                   for a in ("summary", "scores", "graph"))))
    wall = time.monotonic() - t0
    n = totals["cases"]
    print("differential: seed %d, %d cases (%d the peer could not run), %.0f s wall; crm_simulate -S -G time: ours %.1f s, peer %.1f s"
          % (args.seed, n, totals["peer-error"], wall, ours_t, peer_t))
    if n:
        print("agreement: summary %d/%d (%.1f%%), scores %d/%d (%.1f%%), graph %d/%d (%.1f%%)" %
              (totals["summary"], n, 100.0 * totals["summary"] / n, totals["scores"], n,
               100.0 * totals["scores"] / n, totals["graph"], n, 100.0 * totals["graph"] / n))
    print("per feature (cases: summary, scores, graph):")
    for f in sorted(per_feature):
        c = per_feature[f]
        print("  %-20s %5d: %5.1f%% %5.1f%% %5.1f%%" % (f, c["cases"], 100.0 * c["summary"] / c["cases"],
                                                      100.0 * c["scores"] / c["cases"], 100.0 * c["graph"] / c["cases"]))
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        for index, features, verdict in disagreements:
            dst = os.path.join(args.keep, "case-%d" % index)
            subprocess.run(["rm", "-rf", dst])
            subprocess.run(["cp", "-r", os.path.join(work, "case-%d" % index), dst])
        print("%d disagreeing cases kept under %s (input.xml, ours.out, peer.out, both graphs)" % (len(disagreements), args.keep))
    if args.only is not None:
        base = os.path.join(work, "case-%d" % args.only)
        for who in ("ours", "peer"):
            print("==== %s" % who)
            with open(os.path.join(base, who + ".out")) as f:
                print(f.read())
    subprocess.run(["rm", "-rf", work])
    return 0


if __name__ == "__main__":
    sys.exit(main())
