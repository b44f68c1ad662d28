/**
 * One synth measurement in a fresh process (run with --expose-gc): builds a stack of N
 * WorkspaceSubscriptions ("workspace") or N bare null_resources ("null"), one per
 * project, synthesizes it, and prints one JSON line with time and memory.
 */
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { performance } = require("node:perf_hooks");

const [kind, countText] = process.argv.slice(2);
const count = Number(countText);
if (!["workspace", "null"].includes(kind) || !(count > 0)) {
  process.stderr.write("usage: node --expose-gc synth-child.js workspace|null COUNT\n");
  process.exit(2);
}
const gc = global.gc;
if (typeof gc !== "function") throw new Error("run with --expose-gc");

const hex = (i) => "abcdef01" + i.toString(16).padStart(24, "0");

const t0 = performance.now();
const { App, TerraformStack } = require("cdktf");
const { NullProvider } = require("@cdktf/provider-null/lib/provider");
const { Resource } = require("@cdktf/provider-null/lib/resource");
const { WorkspaceSubscription } = require("../lib");
const loadMs = performance.now() - t0;

gc();
const heapBefore = process.memoryUsage().heapUsed;
const rssBefore = process.memoryUsage().rss;
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "ws-bench-synth-"));
try {
  const t1 = performance.now();
  const app = new App({ outdir });
  const stack = new TerraformStack(app, "bench");
  if (kind === "workspace") {
    for (let i = 0; i < count; i++) new WorkspaceSubscription(stack, `ws${i}`, { projectId: hex(i), region: "cn-north-4" });
  } else {
    new NullProvider(stack, "null");
    for (let i = 0; i < count; i++) new Resource(stack, `r${i}`, { triggers: { project_id: hex(i), region: "cn-north-4" } });
  }
  const constructMs = performance.now() - t1;
  const t2 = performance.now();
  app.synth();
  const synthMs = performance.now() - t2;
  gc();
  // Measured while the app is still referenced below, so the tree is what is retained.
  const heapRetained = process.memoryUsage().heapUsed - heapBefore;
  if (app.node.children.length !== 1) throw new Error("unexpected app tree");
  const stackDir = path.join(outdir, "stacks", "bench");
  const outBytes = fs.statSync(path.join(stackDir, "cdk.tf.json")).size;
  const files = [];
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : files.push(fs.statSync(path.join(d, e.name)).size)));
  walk(stackDir);
  process.stdout.write(
    JSON.stringify({
      kind,
      count,
      loadMs,
      constructMs,
      synthMs,
      totalMs: constructMs + synthMs,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      rssBeforeMiB: rssBefore / 2 ** 20,
      heapRetainedMiB: heapRetained / 2 ** 20,
      outBytes,
      stackBytes: files.reduce((a, b) => a + b, 0),
      assetBytes: files.reduce((a, b) => a + b, 0) - outBytes,
      stackFiles: files.length,
    }) + "\n",
  );
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}
