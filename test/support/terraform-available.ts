import * as fs from "node:fs";
import * as path from "node:path";

/** Full path of `binary` on PATH, or undefined. */
export function findOnPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, binary);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * `describe`, or `describe.skip` with the reason both in the suite's name and on stderr
 * (jest shows no console output of a file whose tests are all skipped), so a machine
 * without the tool says why.
 */
export function describeIf(reasonToSkip: string | undefined): (name: string, fn: () => void) => void {
  if (reasonToSkip === undefined) return describe;
  return (name, fn) => {
    process.stderr.write(`\nSKIPPED end-to-end suite "${name}": ${reasonToSkip}\n`);
    describe.skip(`${name} [SKIPPED: ${reasonToSkip}]`, fn);
  };
}

export const TERRAFORM_MISSING = findOnPath("terraform")
  ? undefined
  : "`terraform` is not on PATH, so these tests cannot run real Terraform. Install Terraform to run them (they were written against 1.11.4).";
