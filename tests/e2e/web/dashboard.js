// Drives Debian's chromium (playwright-core) at crm_web's page for
// e2e_cluster_web: records, with the wall clock in ms, every change the page
// shows by itself (a resource's nodes, a node's state) into $OUT/changes, a
// screenshot at each step into $OUT, and fails if the page ever reloads.
// Steps are driven by the shell through marker files in $OUT: the script
// writes "ready" once the first view is shown and ends when "done" appears.
"use strict";
const { chromium } = require("playwright-core");
const fs = require("fs");
const path = require("path");

const url = process.env.URL, out = process.env.OUT;
const log = (line) => fs.appendFileSync(path.join(out, "changes"), Date.now() + " " + line + "\n");

(async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  let navigations = 0;
  page.on("framenavigated", (f) => { if (f === page.mainFrame()) navigations++; });
  await page.goto(url);
  await page.waitForFunction(() => document.querySelectorAll("#nodes tbody tr").length >= 3, null, { timeout: 30000 });
  const snapshot = () => page.evaluate(() => {
    const s = {};
    for (const tr of document.querySelectorAll("#resources tbody tr")) s["rsc " + tr.dataset.rsc] = tr.dataset.on;
    for (const tr of document.querySelectorAll("#nodes tbody tr")) s["node " + tr.dataset.node] = tr.children[1].textContent;
    return s;
  });
  let last = await snapshot();
  for (const [k, v] of Object.entries(last)) log(k + " " + v);
  await page.screenshot({ path: path.join(out, "1-start.png"), fullPage: true });
  fs.writeFileSync(path.join(out, "ready"), "");
  let shots = 1;
  const deadline = Date.now() + 240000;
  while (!fs.existsSync(path.join(out, "done")) && Date.now() < deadline) {
    await page.waitForTimeout(50);
    const now = await snapshot();
    let changed = false;
    for (const [k, v] of Object.entries(now)) {
      if (last[k] !== v) { log(k + " " + v); changed = true; }
    }
    last = now;
    if (changed) await page.screenshot({ path: path.join(out, (++shots) + "-change.png"), fullPage: true });
  }
  // The explanation of a resource, by a click.
  await page.click("#resources tbody tr");
  await page.waitForFunction(() => document.getElementById("explain").textContent.includes("Decision:"), null, { timeout: 10000 });
  await page.screenshot({ path: path.join(out, "explain.png"), fullPage: true });
  log("navigations " + navigations);
  log("updates " + (await page.evaluate(() => document.body.dataset.updates)));
  await browser.close();
})().catch((e) => { log("error " + String(e).split("\n")[0]); process.exit(1); });
