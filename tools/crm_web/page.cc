// The dashboard page: the view arrives once ("state") and then as changes
// ("change") over one EventSource; the page never reloads and never polls.
// Every value from the cluster goes into the page as text (textContent),
// never as markup; the pictures are SVG files shown as images.
#include "page.h"

namespace crm::web {

const char* dashboard_page() {
  return R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cluster</title>
<style>
body { font-family: sans-serif; margin: 1em 2em; color: #222; }
table { border-collapse: collapse; margin-bottom: 1em; }
td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: left; }
.online { color: darkgreen; } .offline, .unclean, .failed { color: #b00; } .standby, .pending, .maintenance { color: #b60; }
tr.rsc { cursor: pointer; } tr.rsc:hover { background: #eef; }
#pictures img { border: 1px solid #ddd; margin: 4px; max-width: 48%; vertical-align: top; }
pre { background: #f6f6f6; padding: 8px; white-space: pre-wrap; }
</style></head>
<body data-updates="0">
<h1>Cluster <small id="summary"></small></h1>
<p id="connection">connecting...</p>
<h2>Nodes</h2><table id="nodes"><thead><tr><th>node</th><th>state</th><th>resources</th></tr></thead><tbody></tbody></table>
<h2>Resources</h2><table id="resources"><thead><tr><th>resource</th><th>agent</th><th>role</th><th>on</th><th>in</th></tr></thead><tbody></tbody></table>
<h2>Failures</h2><table id="failures"><thead><tr><th>operation</th><th>node</th><th>result</th></tr></thead><tbody></tbody></table>
<h2>Pictures</h2>
<div id="pictures"><img id="pic-cluster" alt="the cluster"><img id="pic-constraints" alt="constraints"><img id="pic-transition" alt="the transition"></div>
<h2>Explanation <small id="explain-what">(click a resource)</small></h2><pre id="explain"></pre>
<script>
"use strict";
const token = new URLSearchParams(location.search).get("token");
const q = token ? "?token=" + encodeURIComponent(token) : "";
const amp = token ? "&token=" + encodeURIComponent(token) : "";
let view = { cluster: {}, nodes: {}, resources: {}, failures: {} };
let pictures = 0;

function cell(row, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  row.appendChild(td);
  return td;
}
function fill(id, rows) {
  const body = document.querySelector("#" + id + " tbody");
  body.replaceChildren(...rows);
}
function render() {
  const c = view.cluster;
  document.getElementById("summary").textContent =
    "DC " + (c.dc || "none") + (c.quorum ? ", quorate" : ", no quorum") +
    (c.maintenance_mode ? ", maintenance-mode" : "") + (c.stonith_enabled ? "" : ", fencing disabled") +
    " (epoch " + c.epoch + "." + c.num_updates + ")";
  fill("nodes", Object.keys(view.nodes).sort().map(name => {
    const n = view.nodes[name], tr = document.createElement("tr");
    tr.dataset.node = name;
    cell(tr, name); cell(tr, n.state, n.state); cell(tr, n.resources.join(" "));
    return tr;
  }));
  fill("resources", Object.keys(view.resources).sort().map(id => {
    const r = view.resources[id], tr = document.createElement("tr");
    tr.className = "rsc"; tr.dataset.rsc = id; tr.dataset.on = r.nodes.join(" ");
    cell(tr, id); cell(tr, r.agent); cell(tr, r.role + (r.failed ? " (failed)" : "") + (r.managed ? "" : " (unmanaged)"), r.failed ? "failed" : "");
    cell(tr, r.nodes.join(" ")); cell(tr, r.parent);
    tr.addEventListener("click", () => explain(id));
    return tr;
  }));
  fill("failures", Object.keys(view.failures).sort().map(k => {
    const f = view.failures[k], tr = document.createElement("tr");
    cell(tr, f.op); cell(tr, f.node); cell(tr, f.text, "failed");
    return tr;
  }));
  pictures++;
  for (const p of ["cluster", "constraints", "transition"])
    document.getElementById("pic-" + p).src = p + ".svg?v=" + pictures + amp;
  document.body.dataset.updates = String(Number(document.body.dataset.updates) + 1);
}
function explain(id) {
  document.getElementById("explain-what").textContent = id;
  fetch("explain?rsc=" + encodeURIComponent(id) + amp).then(r => r.text())
    .then(t => { document.getElementById("explain").textContent = t; });
}
const events = new EventSource("events" + q);
events.onopen = () => { document.getElementById("connection").textContent = "live"; };
events.onerror = () => { document.getElementById("connection").textContent = "reconnecting..."; };
events.addEventListener("state", e => { view = JSON.parse(e.data); render(); });
events.addEventListener("change", e => {
  const change = JSON.parse(e.data);
  for (const [path, value] of Object.entries(change.set)) {
    const cut = path.indexOf("/");
    view[path.slice(0, cut)][path.slice(cut + 1)] = value;
  }
  for (const path of change.del) {
    const cut = path.indexOf("/");
    delete view[path.slice(0, cut)][path.slice(cut + 1)];
  }
  render();
});
</script>
</body></html>
)HTML";
}

}  // namespace crm::web
