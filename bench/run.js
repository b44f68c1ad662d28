#!/usr/bin/env node
/**
 * `npm run bench`: builds (through the npm script), then measures the four things of
 * issue 5 side by side and writes BENCHMARKS.md. On demand only, never a pass/fail test:
 * it exits non-zero only when a measurement could not be taken.
 *
 *   node bench/run.js [--only poll,startup,synth,load] [--no-write]
 *
 * With --only, BENCHMARKS.md is left alone unless every section ran.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { parseArgs } = require("node:util");
const { machine, wall } = require("./common");
const { render } = require("./report");

const SECTIONS = {
  poll: () => require("./poll").pollSection,
  startup: () => require("./startup").startupSection,
  synth: () => require("./synth").synthSection,
  load: () => require("./load").loadSection,
};

async function main() {
  const { values } = parseArgs({ options: { only: { type: "string" }, "no-write": { type: "boolean" } } });
  const chosen = values.only ? values.only.split(",").map((x) => x.trim()) : Object.keys(SECTIONS);
  for (const name of chosen) if (!(name in SECTIONS)) throw new Error(`unknown section "${name}"; sections: ${Object.keys(SECTIONS).join(", ")}`);
  const started = wall();
  const log = (line) => process.stderr.write(`[bench ${((wall() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
  const results = { machine: machine(), startedAt: new Date().toISOString().replace(/\.\d+Z$/, "Z") };
  log(`${results.machine.cpu}, ${results.machine.cores} cores, Node ${results.machine.node}`);
  for (const name of chosen) {
    const t0 = wall();
    results[name] = await SECTIONS[name]()(log);
    log(`${name} done in ${((wall() - t0) / 1000).toFixed(1)} s`);
  }
  results.totalMs = wall() - started;
  const markdown = render(results);
  process.stdout.write(markdown);
  const complete = Object.keys(SECTIONS).every((k) => results[k]);
  if (complete && !values["no-write"]) {
    const target = path.resolve(__dirname, "..", "BENCHMARKS.md");
    fs.writeFileSync(target, markdown);
    log(`wrote ${path.relative(process.cwd(), target) || target}`);
  } else {
    log("BENCHMARKS.md not written (partial run or --no-write)");
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e && e.stack ? e.stack : e}\n`);
  process.exitCode = 1;
});
