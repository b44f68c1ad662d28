/**
 * Issue 3, "Prove it with real Terraform": the example stack synthesized by cdktf and
 * driven by the real `terraform` binary (init, apply, plan, destroy, state list) against
 * the in-process Workspace emulator. Offline (hashicorp/null from tools/null-provider),
 * loopback only, every command bounded in time.
 *
 * Deploy may also run a create-time step (the construct's `subscribe`, which on an
 * already SUBSCRIBED service only adopts it): the assertions count DELETEs and POSTs of
 * each project, never the total number of calls.
 *
 * The first two tests share one stack: deploy, redeploy with changed settings, then
 * destroy it, as a user would. Every other test has its own project and folder.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { App, LocalBackend, TerraformStack } from "cdktf";
import { EXAMPLE_STACK } from "../../src/example/main";
import { DeletionPolicy, Duration, WorkspaceSubscription } from "../../src";
import { ENV, EXIT } from "../../src/runtime/contract";
import {
  E2E_TEST_TIMEOUT_MS,
  E2EHarness,
  E2EStack,
  REGION,
  TERRAFORM_MISSING,
  describeIf,
  expectExit,
  filesBelow,
  findLeaks,
  randomCredentials,
  secretsOf,
  stateList,
} from "./harness";

const KEY_A = randomCredentials("a");
/** The rotated key is a temporary one: it comes with a security token, which must not leak either. */
const KEY_B = randomCredentials("b", true);

interface LocalExec {
  command: string;
  when?: string;
  environment: Record<string, string>;
}

/** The synthesized null_resource: its triggers and its destroy-time local-exec. */
function synthesized(stack: E2EStack): { address: string; triggers: Record<string, string>; destroy: LocalExec } {
  const json = JSON.parse(fs.readFileSync(path.join(stack.dir, "cdk.tf.json"), "utf8"));
  const entries = Object.entries(json.resource.null_resource as Record<string, { triggers: Record<string, string>; provisioner: Array<{ "local-exec": LocalExec }> }>);
  expect(entries).toHaveLength(1);
  const [name, resource] = entries[0];
  const destroy = resource.provisioner.map((p) => p["local-exec"]).filter((e) => e.when === "destroy");
  expect(destroy).toHaveLength(1);
  return { address: `null_resource.${name}`, triggers: resource.triggers, destroy: destroy[0] };
}

describeIf(TERRAFORM_MISSING)("WorkspaceSubscription with real Terraform against the emulator", () => {
  const h = new E2EHarness({ prefix: "e2e-terraform", jobDurationMs: 600, credentials: [KEY_A] });

  beforeAll(() => h.start(), 60_000);
  afterAll(() => h.stop(), 60_000);

  /** Synthesizes the example stack, `terraform init` and `apply`; a deploy never cancels anything. */
  async function deploy(stack: E2EStack): Promise<string> {
    h.synthExample(stack);
    const init = await h.terraform(stack, h.env(KEY_A), "init", "-input=false");
    expectExit(init, 0);
    const applied = await h.terraform(stack, h.env(KEY_A), "apply", "-auto-approve", "-input=false");
    expectExit(applied, 0);
    expect(applied.output).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
    expect(h.deletes(stack.projectId)).toBe(0);
    expect(h.posts(stack.projectId)).toBe(0);
    expect(h.serviceStatus(stack.projectId)).toBe("SUBSCRIBED");
    const { address } = synthesized(stack);
    expect(await stateList(h, stack, h.env(KEY_A))).toEqual([address]);
    return address;
  }

  describe("deploy, redeploy with changed settings, destroy", () => {
    let stack: E2EStack;

    test(
      "apply sends no DELETE; a second plan is empty; changing every non-identity setting plans no change; a new projectId plans a replacement",
      async () => {
        stack = h.newStack("lifecycle");
        const address = await deploy(stack);
        const first = synthesized(stack);

        const unchanged = await h.terraform(stack, h.env(KEY_A), "plan", "-detailed-exitcode", "-input=false");
        expectExit(unchanged, 0);
        expect(unchanged.output).toContain("No changes.");

        // Every setting but the identity changes: job timeout, desktop wait, extra environment, endpoint.
        // The endpoint given as a prop wins over HW_WORKSPACE_ENDPOINT; the destroy test relies on it.
        synthChanged(stack, h.emulator.url);
        const changed = synthesized(stack);
        expect(changed.address).toBe(address);
        expect(changed.triggers).toEqual(first.triggers);
        expect(changed.destroy.command).toBe(first.destroy.command); // same bundle, same asset path
        expect(changed.destroy.environment).not.toEqual(first.destroy.environment);
        expect(changed.destroy.environment).toMatchObject({
          [ENV.jobTimeout]: "300s",
          [ENV.desktopWait]: "30s",
          [ENV.endpoint]: h.emulator.url,
          E2E_NOTE: "second deploy",
        });

        const replanned = await h.terraform(stack, h.env(KEY_A), "plan", "-detailed-exitcode", "-input=false");
        expectExit(replanned, 0);
        expect(replanned.output).toContain("No changes.");
        expect(replanned.output).not.toContain("must be replaced");
        const reapplied = await h.terraform(stack, h.env(KEY_A), "apply", "-auto-approve", "-input=false");
        expectExit(reapplied, 0);
        expect(reapplied.output).toContain("Apply complete! Resources: 0 added, 0 changed, 0 destroyed.");

        // The documented way an identity change unsubscribes: the resource is replaced. Planned only.
        const otherProject = h.newStack("other-identity").projectId;
        synthChanged(stack, h.emulator.url, otherProject);
        const replacing = await h.terraform(stack, h.env(KEY_A), "plan", "-detailed-exitcode", "-input=false");
        expectExit(replacing, 2);
        expect(replacing.output).toContain(`${address} must be replaced`);
        expect(replacing.output).toMatch(/triggers\s+= \{ # forces replacement/);
        expect(replacing.output).toContain(`~ "project_id" = "${stack.projectId}" -> "${otherProject}"`);
        expect(replacing.output).toContain("Plan: 1 to add, 0 to change, 1 to destroy.");

        // Back to the deployed identity (with the changed settings) for the destroy test.
        synthChanged(stack, h.emulator.url);
        expect(h.deletes(stack.projectId)).toBe(0);
        expect(h.posts(stack.projectId)).toBe(0);
        expect(h.deletes(otherProject)).toBe(0);
        expect(h.serviceStatus(stack.projectId)).toBe("SUBSCRIBED");
      },
      E2E_TEST_TIMEOUT_MS,
    );

    test(
      "destroy sends exactly one DELETE, waits for the job's success, empties the state, and the service is CLOSED",
      async () => {
        expect(stack).toBeDefined(); // set up by the previous test
        // HW_WORKSPACE_ENDPOINT points at a closed port: only the endpoint prop of the
        // configuration as it is now (read at destroy time) reaches the emulator.
        const env = h.env(KEY_A, "http://127.0.0.1:1");
        const destroyed = await h.terraform(stack, env, "destroy", "-auto-approve", "-input=false");
        expectExit(destroyed, 0);
        expect(destroyed.output).toContain("Destroy complete! Resources: 1 destroyed.");

        expect(h.deletes(stack.projectId)).toBe(1);
        const jobs = h.cancelJobs(stack.projectId);
        expect(jobs).toHaveLength(1);
        expect(jobs[0].status).toBe("SUCCESS");
        expect(destroyed.output).toContain(String(jobs[0].id));
        expect(h.serviceStatus(stack.projectId)).toBe("CLOSED");
        expect(await stateList(h, stack, env)).toEqual([]);
      },
      E2E_TEST_TIMEOUT_MS,
    );
  });

  test(
    "desktops remain: destroy fails naming the desktop, sends no DELETE, keeps the resource; once it is gone, destroy succeeds with one DELETE",
    async () => {
      const stack = h.newStack("desktops");
      const address = await deploy(stack);
      const desktopId = h.emulator.control.addDesktop(stack.projectId, { computerName: "WKS-E2E-LEFT-01", userName: "alice" });

      const blocked = await h.terraform(stack, h.env(KEY_A), "destroy", "-auto-approve", "-input=false");
      expectExit(blocked, "failed");
      expect(blocked.output).toContain("local-exec provisioner error");
      expect(blocked.output).toContain(`exit status ${EXIT.desktopsRemain}`);
      expect(blocked.output).toContain(desktopId);
      expect(blocked.output).toContain("WKS-E2E-LEFT-01");
      expect(h.deletes(stack.projectId)).toBe(0);
      expect(h.serviceStatus(stack.projectId)).toBe("SUBSCRIBED");
      expect(await stateList(h, stack, h.env(KEY_A))).toEqual([address]);

      expect(h.emulator.control.removeDesktop(stack.projectId, desktopId)).toBe(true);
      const destroyed = await h.terraform(stack, h.env(KEY_A), "destroy", "-auto-approve", "-input=false");
      expectExit(destroyed, 0);
      expect(h.deletes(stack.projectId)).toBe(1);
      expect(h.serviceStatus(stack.projectId)).toBe("CLOSED");
      expect(await stateList(h, stack, h.env(KEY_A))).toEqual([]);
    },
    E2E_TEST_TIMEOUT_MS,
  );

  test(
    "the cancellation job fails: destroy fails and keeps the resource; after the service is closed by other means, destroy succeeds without a second DELETE",
    async () => {
      const stack = h.newStack("job-fails");
      const address = await deploy(stack);
      h.emulator.control.setJobPlan(stack.projectId, { kind: "cancel", outcome: "FAILED", durationMs: 300, errorCode: "WKS.E2E.0042", failReason: "e2e: the job fails on purpose" });

      const failed = await h.terraform(stack, h.env(KEY_A), "destroy", "-auto-approve", "-input=false");
      expectExit(failed, "failed");
      expect(failed.output).toContain("local-exec provisioner error");
      expect(failed.output).toContain(`exit status ${EXIT.jobFailed}`);
      expect(failed.output).toContain("WKS.E2E.0042");
      expect(h.deletes(stack.projectId)).toBe(1);
      expect(h.cancelJobs(stack.projectId).map((j) => j.status)).toEqual(["FAILED"]);
      expect(h.serviceStatus(stack.projectId)).toBe("DEREGISTRATION_FAILED");
      expect(await stateList(h, stack, h.env(KEY_A))).toEqual([address]);

      h.emulator.control.setServiceStatus(stack.projectId, "CLOSED");
      const destroyed = await h.terraform(stack, h.env(KEY_A), "destroy", "-auto-approve", "-input=false");
      expectExit(destroyed, 0);
      expect(destroyed.output).toContain("Destroy complete! Resources: 1 destroyed.");
      expect(h.deletes(stack.projectId)).toBe(1);
      expect(await stateList(h, stack, h.env(KEY_A))).toEqual([]);
    },
    E2E_TEST_TIMEOUT_MS,
  );

  test(
    "credentials rotated between deploy and destroy: the old key fails and keeps the resource, the new key (with its token) destroys",
    async () => {
      const stack = h.newStack("rotated");
      const address = await deploy(stack);
      h.emulator.control.setCredentials([KEY_B]);
      try {
        const refused = await h.terraform(stack, h.env(KEY_A), "destroy", "-auto-approve", "-input=false");
        expectExit(refused, "failed");
        expect(refused.output).toContain("local-exec provisioner error");
        expect(refused.output).toContain(`exit status ${EXIT.authRefused}`);
        expect(h.deletes(stack.projectId)).toBe(0);
        expect(await stateList(h, stack, h.env(KEY_A))).toEqual([address]);

        const destroyed = await h.terraform(stack, h.env(KEY_B), "destroy", "-auto-approve", "-input=false");
        expectExit(destroyed, 0);
        const deletes = h.emulator.control.requests().filter((r) => r.method === "DELETE" && r.path === `/v2/${stack.projectId}/workspaces`);
        expect(deletes).toHaveLength(1);
        expect(deletes[0].accessKey).toBe(KEY_B.accessKey);
        expect(deletes[0].hadSecurityToken).toBe(true);
        expect(h.serviceStatus(stack.projectId)).toBe("CLOSED");
        expect(await stateList(h, stack, h.env(KEY_B))).toEqual([]);
      } finally {
        h.emulator.control.setCredentials([KEY_A]);
      }
    },
    E2E_TEST_TIMEOUT_MS,
  );

  // Runs last: looks at everything the tests above printed and wrote.
  test("no access key, secret key or security token appears in any state file, cdk.tf.json, other file of the stacks, or Terraform output", () => {
    expect(h.runs.length).toBeGreaterThan(10);
    const files = h.folders.flatMap(filesBelow);
    const states = files.filter((f) => /terraform\.tfstate(\.backup)?$/.test(f) && !f.includes(`${path.sep}.terraform${path.sep}`));
    expect(states.length).toBeGreaterThanOrEqual(4);
    expect(files.filter((f) => f.endsWith("cdk.tf.json")).length).toBeGreaterThanOrEqual(4);
    // Not even the refused key's ID: the program shortens it wherever a server's message quotes it.
    const texts = h.runs.map((r) => ({ where: `output of ${r.label}`, text: r.output }));
    expect(findLeaks(secretsOf({ KEY_A, KEY_B }), texts, files)).toEqual([]);
  });
});

/** The stack as a user who changed every non-identity prop would write it; same construct IDs, so the same resource address. */
function synthChanged(stack: E2EStack, endpoint: string, projectId = stack.projectId): void {
  const app = new App({ outdir: stack.outdir });
  const s = new TerraformStack(app, EXAMPLE_STACK);
  new LocalBackend(s, { path: "terraform.tfstate" });
  new WorkspaceSubscription(s, "workspace", {
    projectId,
    region: REGION,
    jobTimeout: Duration.minutes(5),
    desktopWait: Duration.seconds(30),
    deletionPolicy: DeletionPolicy.UNSUBSCRIBE,
    environment: { E2E_NOTE: "second deploy" },
    endpoint,
  });
  app.synth();
}
