// Bundles the runtime CLI into one file with no imports but Node's own, so the copy
// shipped inside a synthesized stack runs on any machine with Node and nothing else.
const path = require("node:path");
const esbuild = require("esbuild");

const root = path.resolve(__dirname, "..");
esbuild
  .build({
    entryPoints: [path.join(root, "src/runtime/cli.ts")],
    outfile: path.join(root, "lib/bundle/workspace-subscription.js"),
    bundle: true,
    platform: "node",
    target: "node18",
    format: "cjs",
    legalComments: "none",
    logLevel: "warning",
  })
  .catch(() => process.exit(1));
