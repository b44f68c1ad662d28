/**
 * Where things are, whether this code runs from its TypeScript sources
 * (tools/null-provider/src, e.g. under ts-jest) or compiled
 * (tools/null-provider/dist/src).
 */
import * as fs from "node:fs";
import * as path from "node:path";

function findToolRoot(): string {
  const candidates = [path.resolve(__dirname, ".."), path.resolve(__dirname, "..", "..")];
  const root = candidates.find((dir) => fs.existsSync(path.join(dir, "proto", "tfplugin5_subset.proto")));
  if (root === undefined) {
    throw new Error(`Cannot find tools/null-provider (with its proto/ folder) above ${__dirname}.`);
  }
  return root;
}

/** tools/null-provider */
export const TOOL_ROOT = findToolRoot();
export const PROTO_DIR = path.join(TOOL_ROOT, "proto");
export const DIST_DIR = path.join(TOOL_ROOT, "dist");
/** The compiled entry point that Terraform ends up running. */
export const COMPILED_MAIN = path.join(DIST_DIR, "src", "main.js");
/** Provider packages laid out as a Terraform filesystem mirror (generated, git-ignored). */
export const MIRROR_DIR = path.join(DIST_DIR, "provider-mirror");
