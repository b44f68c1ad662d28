/**
 * Issue 4 with real Terraform: the example app opens a CLOSED service on deploy (one POST)
 * and cancels it on destroy (one DELETE); a failed create taints the resource, and a
 * tainted resource's destroy never cancels anything.
 */
import { EXIT } from "../../src/runtime/contract";
import { E2E_TEST_TIMEOUT_MS, E2EHarness, TERRAFORM_MISSING, describeIf, expectExit, randomCredentials, stateList } from "./harness";

const KEY = randomCredentials("c");

describeIf(TERRAFORM_MISSING)("create side with real Terraform against the emulator", () => {
  const h = new E2EHarness({ prefix: "e2e-create", jobDurationMs: 600, credentials: [KEY] });
  beforeAll(() => h.start(), 60_000);
  afterAll(() => h.stop(), 60_000);

  test(
    "deploy opens a CLOSED service with exactly one POST; destroy cancels it with exactly one DELETE",
    async () => {
      const stack = h.newStack("opens");
      h.emulator.control.setServiceStatus(stack.projectId, "CLOSED");
      h.synthExample(stack);
      expectExit(await h.terraform(stack, h.env(KEY), "init", "-input=false"), 0);
      const applied = await h.terraform(stack, h.env(KEY), "apply", "-auto-approve", "-input=false");
      expectExit(applied, 0);
      expect(applied.output).toMatch(/subscription accepted: job \S+/);
      expect(applied.output).toMatch(/is SUBSCRIBED after/);
      expect(h.posts(stack.projectId)).toBe(1);
      expect(h.serviceStatus(stack.projectId)).toBe("SUBSCRIBED");

      const plan = await h.terraform(stack, h.env(KEY), "plan", "-detailed-exitcode", "-input=false");
      expectExit(plan, 0);

      const destroyed = await h.terraform(stack, h.env(KEY), "destroy", "-auto-approve", "-input=false");
      expectExit(destroyed, 0);
      expect(h.deletes(stack.projectId)).toBe(1);
      expect(h.posts(stack.projectId)).toBe(1);
      expect(h.serviceStatus(stack.projectId)).toBe("CLOSED");
      expect(await stateList(h, stack, h.env(KEY))).toEqual([]);
    },
    E2E_TEST_TIMEOUT_MS,
  );

  test(
    "a failed create taints the resource: replacing it and destroying it send no DELETE; a later apply opens the service anew",
    async () => {
      const stack = h.newStack("create-fails");
      h.emulator.control.setServiceStatus(stack.projectId, "CLOSED");
      h.emulator.control.setJobPlan(stack.projectId, { kind: "apply", outcome: "FAILED", durationMs: 300, failReason: "e2e: opening fails on purpose" });
      h.synthExample(stack);
      expectExit(await h.terraform(stack, h.env(KEY), "init", "-input=false"), 0);
      const failed = await h.terraform(stack, h.env(KEY), "apply", "-auto-approve", "-input=false");
      expectExit(failed, "failed");
      expect(failed.output).toContain(`exit status ${EXIT.jobFailed}`);
      expect(failed.output).toContain("e2e: opening fails on purpose");
      expect(h.serviceStatus(stack.projectId)).toBe("SUBSCRIPTION_FAILED");
      const [address] = await stateList(h, stack, h.env(KEY));
      const shown = await h.terraform(stack, h.env(KEY), "show", "-no-color");
      expect(shown.output).toMatch(/tainted/);

      // Terraform skips a tainted resource's destroy-time provisioners: no cancellation.
      const replan = await h.terraform(stack, h.env(KEY), "plan", "-input=false");
      expect(replan.output).toMatch(new RegExp(`${address.replace(/[.]/g, "\\.")} is tainted, so must be replaced`));
      const retried = await h.terraform(stack, h.env(KEY), "apply", "-auto-approve", "-input=false");
      expectExit(retried, 0);
      expect(h.deletes(stack.projectId)).toBe(0);
      expect(h.posts(stack.projectId)).toBe(2);
      expect(h.serviceStatus(stack.projectId)).toBe("SUBSCRIBED");

      // A tainted resource destroyed outright: Terraform forgets it, the service stays.
      h.emulator.control.setServiceStatus(stack.projectId, "CLOSED");
      h.emulator.control.setJobPlan(stack.projectId, { kind: "apply", outcome: "FAILED", durationMs: 300 });
      const beforePosts = h.posts(stack.projectId);
      expectExit(await h.terraform(stack, h.env(KEY), "apply", "-auto-approve", "-input=false", "-replace", address), "failed");
      expect(h.posts(stack.projectId)).toBe(beforePosts + 1);
      const destroyed = await h.terraform(stack, h.env(KEY), "destroy", "-auto-approve", "-input=false");
      expectExit(destroyed, 0);
      expect(h.deletes(stack.projectId)).toBe(0);
      expect(await stateList(h, stack, h.env(KEY))).toEqual([]);
    },
    E2E_TEST_TIMEOUT_MS,
  );
});
