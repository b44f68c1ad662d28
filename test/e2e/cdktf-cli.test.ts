/**
 * Issue 3, case 7: what users type. `cdktf deploy` and `cdktf destroy` (cdktf-cli 0.21)
 * run the example app named in a cdktf.json, then real Terraform, against the emulator.
 *
 * The project folder is a temporary one whose cdktf.json runs the already built
 * lib/example/main.js (no rebuild) and writes to its own cdktf.out.
 *
 * Offline needs, all documented cdktf-cli / Terraform switches:
 * - `--skip-provider-lock`: on a first deploy (no .terraform.lock.hcl yet) cdktf runs
 *   `terraform providers lock -platform=linux_amd64` after `init`. That command asks the
 *   origin registry for checksums, ignoring the CLI configuration's mirror, so without the
 *   registry the first deploy fails there ("Could not retrieve providers for locking").
 *   `terraform init` has already written the lock file from the local mirror.
 * - CHECKPOINT_DISABLE=1: no telemetry to HashiCorp's checkpoint service (Terraform and cdktf).
 * - DISABLE_VERSION_CHECK=true: no `npm view cdktf-cli` (cdktf only checks on a TTY anyway).
 * - `"sendCrashReports": "false"` in cdktf.json and no SENTRY_DSN: no crash reports.
 * - CDKTF_DISABLE_PLUGIN_CACHE_ENV=true: cdktf leaves TF_PLUGIN_CACHE_DIR unset, so no shared
 *   plugin cache receives the stand-in.
 * - CDKTF_HOME in the temporary folder: nothing is written to ~/.cdktf.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { EXAMPLE_STACK } from "../../src/example/main";
import { readStateResources } from "../terraform/terraform-cli";
import {
  CommandRun,
  E2E_TEST_TIMEOUT_MS,
  E2EHarness,
  REGION,
  REPO_ROOT,
  TERRAFORM_MISSING,
  describeIf,
  expectExit,
  filesBelow,
  findLeaks,
  newProjectId,
  randomCredentials,
  secretsOf,
} from "./harness";

const CDKTF_BIN = path.join(REPO_ROOT, "node_modules", ".bin", "cdktf");
const EXAMPLE_APP = path.join(REPO_ROOT, "lib", "example", "main.js");

function cdktfMissing(): string | undefined {
  if (TERRAFORM_MISSING) return TERRAFORM_MISSING;
  try {
    require.resolve("cdktf-cli/package.json");
  } catch {
    return "cdktf-cli is not installed (it is a devDependency: run `npm install`).";
  }
  if (!fs.existsSync(CDKTF_BIN)) return `${CDKTF_BIN} is missing (run \`npm install\`).`;
  return undefined;
}

const KEY = randomCredentials("cli");

describeIf(cdktfMissing())("cdktf deploy / cdktf destroy (cdktf-cli) against the emulator", () => {
  const h = new E2EHarness({ prefix: "e2e-cdktf", jobDurationMs: 600, credentials: [KEY] });
  let projectDir: string;
  let projectId: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    if (!fs.existsSync(EXAMPLE_APP)) throw new Error(`${EXAMPLE_APP} is missing: run "npm run build" first (npm test does).`);
    await h.start();
    projectDir = path.join(h.root, "cdktf-project");
    fs.mkdirSync(path.join(projectDir, "cdktf-home"), { recursive: true });
    h.folders.push(projectDir);
    fs.writeFileSync(
      path.join(projectDir, "cdktf.json"),
      JSON.stringify(
        {
          language: "typescript",
          app: `${JSON.stringify(process.execPath)} ${JSON.stringify(EXAMPLE_APP)}`,
          output: path.join(projectDir, "cdktf.out"),
          projectId: "cdktf-huaweicloud-workspace-e2e",
          sendCrashReports: "false",
          terraformProviders: [],
          terraformModules: [],
          context: {},
        },
        null,
        2,
      ),
    );
    projectId = newProjectId();
    h.emulator.control.addTenant(projectId, { region: REGION });
    env = {
      ...h.env(KEY),
      // Read by the example app at synth.
      HW_PROJECT_ID: projectId,
      HW_REGION_NAME: REGION,
      EXAMPLE_DESKTOP_WAIT_SECONDS: "0",
      EXAMPLE_JOB_TIMEOUT_SECONDS: "60",
      // cdktf-cli: no network, no writes outside the temporary folder.
      CHECKPOINT_DISABLE: "1",
      DISABLE_VERSION_CHECK: "true",
      CDKTF_DISABLE_PLUGIN_CACHE_ENV: "true",
      CDKTF_HOME: path.join(projectDir, "cdktf-home"),
    };
  }, 60_000);
  afterAll(() => h.stop(), 60_000);

  const stackDir = () => path.join(projectDir, "cdktf.out", "stacks", EXAMPLE_STACK);
  const cdktf = (command: "deploy" | "destroy"): Promise<CommandRun> =>
    h.run(`cdktf ${command}`, CDKTF_BIN, [command, EXAMPLE_STACK, "--auto-approve", "--skip-provider-lock", "--no-color"], { cwd: projectDir, env });

  test(
    "cdktf deploy synthesizes the app and applies it: no DELETE, no POST, one resource in the state",
    async () => {
      const deployed = await cdktf("deploy");
      expectExit(deployed, 0);
      expect(deployed.output).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
      expect(fs.existsSync(path.join(stackDir(), "cdk.tf.json"))).toBe(true);
      expect(h.deletes(projectId)).toBe(0);
      expect(h.posts(projectId)).toBe(0);
      expect(h.serviceStatus(projectId)).toBe("SUBSCRIBED");
      const resources = readStateResources(stackDir());
      expect(resources.map((r) => r.type)).toEqual(["null_resource"]);
      expect(resources[0].instances[0].attributes.triggers).toEqual({ project_id: projectId, region: REGION });
    },
    E2E_TEST_TIMEOUT_MS,
  );

  test(
    "cdktf destroy runs the destroy step: exactly one DELETE, the job succeeds, the state is empty, the service is CLOSED",
    async () => {
      expect(readStateResources(stackDir())).toHaveLength(1); // deployed by the previous test
      const destroyed = await cdktf("destroy");
      expectExit(destroyed, 0);
      expect(destroyed.output).toContain("Destroy complete! Resources: 1 destroyed.");
      expect(h.deletes(projectId)).toBe(1);
      expect(h.cancelJobs(projectId).map((j) => j.status)).toEqual(["SUCCESS"]);
      expect(h.serviceStatus(projectId)).toBe("CLOSED");
      expect(readStateResources(stackDir())).toEqual([]);
    },
    E2E_TEST_TIMEOUT_MS,
  );

  test("no access key, secret key or token appears in cdktf's output, the state, cdk.tf.json or any file of the project", () => {
    const files = filesBelow(projectDir);
    expect(files.some((f) => f.endsWith(`${path.sep}terraform.tfstate`))).toBe(true);
    expect(files.some((f) => f.endsWith(`${path.sep}cdk.tf.json`))).toBe(true);
    const texts = h.runs.map((r) => ({ where: `output of ${r.label}`, text: r.output }));
    expect(findLeaks(secretsOf({ KEY }), texts, files)).toEqual([]);
  });
});
