/**
 * Section 3: synth cost of N WorkspaceSubscriptions against N bare null_resources, each
 * size and kind in a fresh child process (clean heap, honest peak RSS), interleaved and
 * repeated; medians reported.
 */
"use strict";
const path = require("node:path");
const { execFile } = require("node:child_process");
const { median } = require("./common");

const SIZES = [1, 10, 100, 1000];
const REPEATS = 5;
const KINDS = ["workspace", "null"];

function runChild(kind, count) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--expose-gc", path.join(__dirname, "synth-child.js"), kind, String(count)], { timeout: 120_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`synth ${kind} x${count} failed: ${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split("\n").pop()));
    });
  });
}

async function synthSection(progress) {
  const samples = {};
  for (let rep = 0; rep < REPEATS; rep++) {
    progress(`synth: round ${rep + 1} of ${REPEATS}`);
    for (const count of SIZES) {
      for (const kind of KINDS) {
        const key = `${kind}:${count}`;
        (samples[key] = samples[key] || []).push(await runChild(kind, count));
      }
    }
  }
  const rows = SIZES.map((count) => {
    const pick = (kind) => {
      const s = samples[`${kind}:${count}`];
      const m = (f) => median(s.map((x) => x[f]));
      return { totalMs: m("totalMs"), constructMs: m("constructMs"), synthMs: m("synthMs"), loadMs: m("loadMs"), peakRssMiB: m("peakRssMiB"), rssGrowthMiB: median(s.map((x) => x.peakRssMiB - x.rssBeforeMiB)), heapRetainedMiB: m("heapRetainedMiB"), stackBytes: m("stackBytes"), assetBytes: m("assetBytes") };
    };
    const workspace = pick("workspace");
    const bare = pick("null");
    return {
      count,
      workspace,
      bare,
      timeRatio: workspace.totalMs / bare.totalMs,
      peakRssRatio: workspace.peakRssMiB / bare.peakRssMiB,
      heapRatio: workspace.heapRetainedMiB / bare.heapRetainedMiB,
    };
  });
  return { sizes: SIZES, repeats: REPEATS, rows };
}

module.exports = { synthSection };
