/**
 * Section 2: start-up cost of the bundled program, from spawn to the emulator receiving
 * its first request, against bare Node spawned the same way. Runs are interleaved so
 * that drift in the machine's load falls on every variant alike.
 */
"use strict";
const { startEmulator } = require("../lib/emulator");
const { wall, projectId, median, quantile, BUNDLE, bundleEnv, spawnNode } = require("./common");

const RUNS = 15;
const WARM_UP = 2;

async function startupSection(progress) {
  const emu = await startEmulator({ now: wall });
  const { control, url } = emu;
  // Never seeded, so the service reads CLOSED: the program makes one request and exits 0.
  const project = projectId(0x2001, 1);
  const env = bundleEnv(url, project);
  const httpProbe = `require("http").get(process.env.HW_WORKSPACE_ENDPOINT + "/v2/${project}/workspaces", (r) => r.resume())`;
  const variants = {
    bundle: [BUNDLE, "unsubscribe", "--project-id", project],
    nodeEmpty: ["-e", ""],
    nodeHttp: ["-e", httpProbe],
  };
  const samples = { bundle: [], nodeEmpty: [], nodeHttp: [] };
  try {
    for (let i = 0; i < WARM_UP + RUNS; i++) {
      for (const [name, args] of Object.entries(variants)) {
        control.clearRequests();
        const run = await spawnNode(args, env, 30_000);
        const first = control.requests()[0];
        if (name === "bundle" && run.code !== 0) throw new Error(`the bundle exited ${run.code}: ${run.stderr}`);
        if (i >= WARM_UP) {
          samples[name].push({ firstRequestMs: first ? first.time - run.spawnedAt : NaN, exitMs: run.exitedAt - run.spawnedAt });
        }
      }
      if (i === WARM_UP) progress(`startup: ${RUNS} interleaved runs of each variant`);
    }
  } finally {
    await emu.stop();
  }
  const stat = (name, field) => ({ median: median(samples[name].map((s) => s[field])), p90: quantile(samples[name].map((s) => s[field]), 0.9) });
  const result = {
    runs: RUNS,
    bundleFirstRequest: stat("bundle", "firstRequestMs"),
    bundleExit: stat("bundle", "exitMs"),
    nodeEmptyExit: stat("nodeEmpty", "exitMs"),
    nodeHttpFirstRequest: stat("nodeHttp", "firstRequestMs"),
    nodeHttpExit: stat("nodeHttp", "exitMs"),
  };
  result.ratioToEmptyExit = result.bundleFirstRequest.median / result.nodeEmptyExit.median;
  result.ratioToHttpFirstRequest = result.bundleFirstRequest.median / result.nodeHttpFirstRequest.median;
  result.bundleBytes = require("node:fs").statSync(BUNDLE).size;
  return result;
}

module.exports = { startupSection };
