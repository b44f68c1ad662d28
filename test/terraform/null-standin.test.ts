/**
 * The hashicorp/null stand-in driven by the real `terraform` binary, offline:
 * every test works in its own temporary folder, talks only over loopback and
 * is bounded in time. These are the Terraform behaviours the project relies
 * on: triggers replace, a destroy-time local-exec runs on replace and on
 * destroy, a failing one keeps the resource in state, import and refresh
 * work, and `terraform init` succeeds for a configuration with a backend.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TERRAFORM_MISSING, describeIf } from "../support/terraform-available";
import { prepareTerraformEnv, RPC_LOG_ENV, TerraformEnv } from "../../tools/null-provider";
import {
  isAlive,
  onlyNullResource,
  readRpcLog,
  readStateResources,
  startTerraform,
  terraform,
  waitForExit,
} from "./terraform-cli";

const TERRAFORM_TEST_TIMEOUT_MS = 90_000;

/**
 * Appends one line to hook.log beside it. While a file named `fail-next`
 * exists beside it, it fails instead (exit 7) after logging the attempt.
 * When `SLOW_HOOK` is set, it records its pid and sleeps (bounded) first.
 */
const HOOK_SCRIPT = `
const fs = require("fs");
const path = require("path");
const log = path.join(__dirname, "hook.log");
const label = process.argv[2] || "hook";
function finish() {
  if (fs.existsSync(path.join(__dirname, "fail-next"))) {
    fs.appendFileSync(log, label + " failed\\n");
    console.error("hook: failing on purpose");
    process.exit(7);
  }
  fs.appendFileSync(log, label + "\\n");
}
if (process.env.SLOW_HOOK) {
  fs.writeFileSync(path.join(__dirname, "slow-hook.pid"), String(process.pid));
  setTimeout(finish, 4000);
} else {
  finish();
}
`;

interface NullResourceConfig {
  readonly triggers: Record<string, string>;
  /** A create-time provisioner that sleeps, to catch Terraform mid-apply. */
  readonly slowCreate?: boolean;
}

function configJson(config: NullResourceConfig, extra: Record<string, unknown> = {}): string {
  const provisioners: unknown[] = [
    {
      "local-exec": {
        when: "destroy",
        interpreter: ["node"],
        command: "${path.module}/hook.js",
      },
    },
  ];
  if (config.slowCreate) {
    provisioners.unshift({
      "local-exec": { interpreter: ["node"], command: "${path.module}/hook.js", environment: { SLOW_HOOK: "1" } },
    });
  }
  return JSON.stringify(
    { ...extra, resource: { null_resource: { x: { triggers: config.triggers, provisioner: provisioners } } } },
    null,
    2,
  );
}

function hookLines(dir: string): string[] {
  const log = path.join(dir, "hook.log");
  return fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter((line) => line !== "") : [];
}

describeIf(TERRAFORM_MISSING)("hashicorp/null stand-in under real Terraform", () => {
  let root: string;
  let tf: TerraformEnv;
  let rpcLog: string;
  let dirCount = 0;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "null-standin-test-"));
    rpcLog = path.join(root, "rpc.log");
    tf = await prepareTerraformEnv({ workDir: root, rpcLogFile: rpcLog });
  }, TERRAFORM_TEST_TIMEOUT_MS);

  afterAll(async () => {
    // Every stand-in process Terraform started in this file must be gone.
    const pids = [...new Set(readRpcLog(rpcLog).map((entry) => entry.pid))];
    const stillAlive = await waitForExit(pids, 3000);
    await tf?.cleanup();
    fs.rmSync(root, { recursive: true, force: true });
    expect(stillAlive).toEqual([]);
  });

  function newConfigDir(config: NullResourceConfig, fileName = "main.tf.json", extra?: Record<string, unknown>): string {
    const dir = path.join(root, `config-${++dirCount}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "hook.js"), HOOK_SCRIPT);
    fs.writeFileSync(path.join(dir, fileName), configJson(config, extra));
    return dir;
  }

  test("the environment points Terraform at a temporary CLI configuration only", () => {
    expect(tf.cliConfigFile.startsWith(root)).toBe(true);
    expect(tf.env.TF_CLI_CONFIG_FILE).toBe(tf.cliConfigFile);
    expect(tf.env.TF_PLUGIN_CACHE_DIR).toBeUndefined();
    expect(tf.env.TF_IN_AUTOMATION).toBe("1");
    expect(tf.env.CHECKPOINT_DISABLE).toBe("1");
    expect(process.env.TF_CLI_CONFIG_FILE).not.toBe(tf.cliConfigFile);
    const text = fs.readFileSync(tf.cliConfigFile, "utf8");
    expect(text).toContain("dev_overrides");
    expect(text).toContain(JSON.stringify(tf.providerDir));
  });

  test(
    "create, idempotent plan, trigger change replaces and runs the destroy provisioner, refresh, destroy",
    async () => {
      const dir = newConfigDir({ triggers: { a: "1" } });

      const created = await terraform(dir, tf.env, "apply", "-auto-approve");
      expect(created.output).toContain("Apply complete! Resources: 1 added");
      expect(created.code).toBe(0);
      const first = onlyNullResource(dir);
      expect(first.id).toMatch(/^\d+$/);
      expect(first.triggers).toEqual({ a: "1" });
      expect(hookLines(dir)).toEqual([]);

      const unchanged = await terraform(dir, tf.env, "plan", "-detailed-exitcode");
      expect(unchanged.output).toContain("No changes.");
      expect(unchanged.code).toBe(0);

      fs.writeFileSync(path.join(dir, "main.tf.json"), configJson({ triggers: { a: "2" } }));
      const replacing = await terraform(dir, tf.env, "plan", "-detailed-exitcode");
      expect(replacing.output).toContain("null_resource.x must be replaced");
      expect(replacing.output).toMatch(/triggers = \{ # forces replacement/);
      expect(replacing.code).toBe(2);

      const replaced = await terraform(dir, tf.env, "apply", "-auto-approve");
      expect(replaced.output).toContain("Resources: 1 added, 0 changed, 1 destroyed");
      expect(replaced.code).toBe(0);
      expect(hookLines(dir)).toEqual(["hook"]);
      const second = onlyNullResource(dir);
      expect(second.id).toMatch(/^\d+$/);
      expect(second.id).not.toBe(first.id);
      expect(second.triggers).toEqual({ a: "2" });

      const refreshed = await terraform(dir, tf.env, "refresh");
      expect(refreshed.output).toContain(`null_resource.x: Refreshing state... [id=${second.id}]`);
      expect(refreshed.code).toBe(0);
      expect(onlyNullResource(dir)).toEqual(second);

      const destroyed = await terraform(dir, tf.env, "destroy", "-auto-approve");
      expect(destroyed.output).toContain("Destroy complete! Resources: 1 destroyed.");
      expect(destroyed.code).toBe(0);
      expect(hookLines(dir)).toEqual(["hook", "hook"]);
      expect(readStateResources(dir)).toEqual([]);
    },
    TERRAFORM_TEST_TIMEOUT_MS,
  );

  test(
    "a failing destroy provisioner fails the destroy and keeps the resource; the next destroy runs it again",
    async () => {
      const dir = newConfigDir({ triggers: { a: "1" } });
      expect((await terraform(dir, tf.env, "apply", "-auto-approve")).code).toBe(0);
      const before = onlyNullResource(dir);

      fs.writeFileSync(path.join(dir, "fail-next"), "");
      const failed = await terraform(dir, tf.env, "destroy", "-auto-approve");
      expect(failed.code).toBe(1);
      expect(failed.output).toContain("local-exec provisioner error");
      expect(failed.output).toContain("hook: failing on purpose");
      expect(onlyNullResource(dir)).toEqual(before);

      fs.rmSync(path.join(dir, "fail-next"));
      const retried = await terraform(dir, tf.env, "destroy", "-auto-approve");
      expect(retried.code).toBe(0);
      expect(hookLines(dir)).toEqual(["hook failed", "hook"]);
      expect(readStateResources(dir)).toEqual([]);
    },
    TERRAFORM_TEST_TIMEOUT_MS,
  );

  test(
    "import takes the given id with null triggers, so the configured triggers then force a replacement",
    async () => {
      const dir = newConfigDir({ triggers: { a: "1" } });
      const imported = await terraform(dir, tf.env, "import", "null_resource.x", "12345");
      expect(imported.output).toContain("Import successful!");
      expect(imported.code).toBe(0);
      expect(onlyNullResource(dir)).toEqual({ id: "12345", triggers: null });

      const plan = await terraform(dir, tf.env, "plan", "-detailed-exitcode");
      expect(plan.output).toContain("null_resource.x must be replaced");
      expect(plan.code).toBe(2);
    },
    TERRAFORM_TEST_TIMEOUT_MS,
  );

  test(
    "terraform init succeeds offline for a cdktf-shaped stack with a backend, also with a fresh environment",
    async () => {
      const dir = newConfigDir({ triggers: { a: "1" } }, "cdk.tf.json", {
        terraform: {
          backend: { local: { path: "terraform.stack.tfstate" } },
          required_providers: { null: { source: "null", version: "3.2.4" } },
        },
        provider: { null: [{}] },
      });
      const init = await terraform(dir, tf.env, "init");
      expect(init.output).toContain("Terraform has been successfully initialized!");
      expect(init.code).toBe(0);
      expect(fs.readFileSync(path.join(dir, ".terraform.lock.hcl"), "utf8")).toMatch(
        /provider "registry.terraform.io\/hashicorp\/null" \{\s+version\s+= "3.2.4"/,
      );

      expect((await terraform(dir, tf.env, "apply", "-auto-approve")).code).toBe(0);
      expect(onlyNullResource(dir, "terraform.stack.tfstate").triggers).toEqual({ a: "1" });

      // Another run, another temporary CLI configuration: the recorded
      // checksum of the stand-in still matches, so init passes again.
      const other = await prepareTerraformEnv({ workDir: root, rpcLogFile: rpcLog });
      try {
        const again = await terraform(dir, other.env, "init");
        expect(again.output).toContain("Terraform has been successfully initialized!");
        expect(again.code).toBe(0);
        expect((await terraform(dir, other.env, "destroy", "-auto-approve")).code).toBe(0);
      } finally {
        await other.cleanup();
      }
      expect(hookLines(dir)).toEqual(["hook"]);
      expect(readStateResources(dir, "terraform.stack.tfstate")).toEqual([]);
    },
    TERRAFORM_TEST_TIMEOUT_MS,
  );

  test(
    "stand-in processes exit when Terraform is killed mid-apply",
    async () => {
      const dir = newConfigDir({ triggers: { a: "1" }, slowCreate: true });
      const ownLog = path.join(root, "rpc-killed.log");
      const env = { ...tf.env, [RPC_LOG_ENV]: ownLog };
      const run = startTerraform(dir, env, ["apply", "-auto-approve"]);

      const hookPidFile = path.join(dir, "slow-hook.pid");
      const deadline = Date.now() + 30_000;
      while (!fs.existsSync(hookPidFile) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(fs.existsSync(hookPidFile)).toBe(true);
      const providerPids = [...new Set(readRpcLog(ownLog).map((entry) => entry.pid))];
      // The provider that applies is still serving while the provisioner runs.
      expect(providerPids.filter(isAlive).length).toBeGreaterThan(0);

      run.kill("SIGKILL");
      await run.done;
      expect(await waitForExit(providerPids, 3000)).toEqual([]);

      // The provisioner's own child outlives Terraform by design; end it here.
      const hookPid = Number(fs.readFileSync(hookPidFile, "utf8"));
      try {
        process.kill(hookPid, "SIGKILL");
      } catch {
        // already gone
      }
    },
    TERRAFORM_TEST_TIMEOUT_MS,
  );
});
