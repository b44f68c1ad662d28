import "cdktf/lib/testing/adapters/jest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { NullProvider } from "@cdktf/provider-null/lib/provider";
import { DeletionPolicy, Duration, WorkspaceSubscription, WorkspaceSubscriptionProps, terraformLiteral } from "../../src";

const PROJECT = "0123456789abcdef0123456789abcdef";

type NullResourceJson = {
  triggers: Record<string, string>;
  provisioner: Array<{ "local-exec": Record<string, unknown> & { environment: Record<string, string> } }>;
  lifecycle?: Record<string, unknown>;
};

function synthStack(build: (stack: TerraformStack) => void): { json: any; resources: NullResourceJson[] } {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  build(stack);
  const json = JSON.parse(Testing.synth(stack));
  return { json, resources: Object.values(json.resource?.null_resource ?? {}) as NullResourceJson[] };
}

function synthOne(props: Partial<WorkspaceSubscriptionProps> = {}) {
  const { json, resources } = synthStack((stack) => {
    new WorkspaceSubscription(stack, "workspace", { projectId: PROJECT, region: "cn-north-4", ...props });
  });
  expect(resources).toHaveLength(1);
  const byWhen = (when: string) => resources[0].provisioner.map((p) => p["local-exec"]).find((e) => e.when === when)!;
  return { json, resource: resources[0], exec: byWhen("destroy"), create: byWhen("create") };
}

function expectInvalid(props: Partial<WorkspaceSubscriptionProps>, message: RegExp) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  expect(() => new WorkspaceSubscription(stack, "workspace", { projectId: PROJECT, region: "cn-north-4", ...props } as WorkspaceSubscriptionProps)).toThrow(message);
}

describe("synthesized resource", () => {
  test("one null_resource whose triggers hold only the identity", () => {
    const { resource } = synthOne();
    expect(resource.triggers).toEqual({ project_id: PROJECT, region: "cn-north-4" });
  });

  test("the provisioners are pinned: node runs the shipped runtime, identity from self, settings as literals", () => {
    const { exec, create, resource } = synthOne();
    expect(resource.provisioner.map((p) => p["local-exec"].when)).toEqual(["create", "destroy"]);
    expect(create).toEqual({
      when: "create",
      interpreter: ["node"],
      command: exec.command,
      on_failure: "fail",
      environment: {
        HW_PROJECT_ID: "${self.triggers.project_id}",
        HW_REGION_NAME: "${self.triggers.region}",
        HW_WORKSPACE_COMMAND: "subscribe",
        HW_WORKSPACE_JOB_TIMEOUT: "1800s",
      },
    });
    expect(exec).toEqual({
      when: "destroy",
      interpreter: ["node"],
      command: expect.stringMatching(/^\$\{path\.module\}\/assets\/WorkspaceSubscriptionRuntime\/[0-9A-F]+\/workspace-subscription\.js$/),
      on_failure: "fail",
      environment: {
        HW_PROJECT_ID: "${self.triggers.project_id}",
        HW_REGION_NAME: "${self.triggers.region}",
        HW_WORKSPACE_COMMAND: "unsubscribe",
        HW_WORKSPACE_JOB_TIMEOUT: "1800s",
        HW_WORKSPACE_DESKTOP_WAIT: "0s",
        HW_WORKSPACE_DELETION_POLICY: "UNSUBSCRIBE",
      },
    });
  });

  test("every ${...} reference in the provisioner is to self or path.module (Terraform refuses others at destroy)", () => {
    const { resource } = synthOne({ endpoint: "https://workspace.example.com", environment: { HTTPS_PROXY: "http://proxy:3128" } });
    const refs = JSON.stringify(resource.provisioner).match(/(?<!\$)\$\{[^}]*\}/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(ref).toMatch(/^\$\{(self\.|path\.module)/);
  });

  test("a null provider is added once, and a user's own is reused", () => {
    const { json } = synthStack((stack) => {
      new NullProvider(stack, "mine", {});
      new WorkspaceSubscription(stack, "a", { projectId: PROJECT, region: "cn-north-4" });
    });
    expect(json.provider.null).toHaveLength(1);
    const auto = synthOne().json;
    expect(auto.provider.null).toHaveLength(1);
  });

  test("many subscriptions in one stack share one copy of the runtime", () => {
    const { resources } = synthStack((stack) => {
      for (let i = 0; i < 3; i++) new WorkspaceSubscription(stack, `ws${i}`, { projectId: PROJECT.slice(0, 31) + i, region: "cn-north-4" });
    });
    const commands = new Set(resources.flatMap((r) => r.provisioner.map((p) => p["local-exec"].command)));
    expect(resources).toHaveLength(3);
    expect(commands.size).toBe(1);
  });

  test("no absolute path of this machine and no credential anywhere in the output", () => {
    const secret = "SECRET-should-never-appear-1234567890";
    const saved = { ak: process.env.HW_ACCESS_KEY, sk: process.env.HW_SECRET_KEY };
    process.env.HW_ACCESS_KEY = "AK-should-never-appear";
    process.env.HW_SECRET_KEY = secret;
    try {
      const { resource } = synthOne({ jobTimeout: Duration.minutes(5) });
      const text = JSON.stringify(resource);
      expect(text).not.toContain(process.cwd());
      expect(text).not.toContain(os.homedir());
      expect(text).not.toContain(path.resolve(__dirname, "../.."));
      expect(text).not.toContain(secret);
      expect(text).not.toContain("AK-should-never-appear");
    } finally {
      process.env.HW_ACCESS_KEY = saved.ak;
      process.env.HW_SECRET_KEY = saved.sk;
      if (saved.ak === undefined) delete process.env.HW_ACCESS_KEY;
      if (saved.sk === undefined) delete process.env.HW_SECRET_KEY;
    }
  });

  test("the runtime file lands in the stack folder at the path the command names", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "wss-synth-"));
    try {
      const app = new App({ outdir });
      const stack = new TerraformStack(app, "s");
      new WorkspaceSubscription(stack, "w", { projectId: PROJECT, region: "cn-north-4" });
      app.synth();
      const stackDir = path.join(outdir, "stacks", "s");
      const json = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
      const command: string = (Object.values(json.resource.null_resource)[0] as NullResourceJson).provisioner[1]["local-exec"].command as string;
      const file = path.join(stackDir, command.replace("${path.module}/", ""));
      const content = fs.readFileSync(file, "utf8");
      expect(content.startsWith("#!/usr/bin/env node")).toBe(true);
      // The shipped program needs nothing but Node: no require of a package outside node's own.
      const requires = [...content.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
      expect(requires.length).toBeGreaterThan(0);
      for (const r of requires) expect(r).toMatch(/^node:|^(fs|path|os|http|https|crypto|util|net|events|url|stream|child_process|tls|zlib|buffer)$/);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe("triggers hold the identity and nothing else", () => {
  const variants: Array<[string, Partial<WorkspaceSubscriptionProps>]> = [
    ["jobTimeout", { jobTimeout: Duration.hours(2) }],
    ["desktopWait", { desktopWait: Duration.minutes(10) }],
    ["deletionPolicy", { deletionPolicy: DeletionPolicy.RETAIN }],
    ["endpoint", { endpoint: "https://workspace.other.example.com" }],
    ["environment", { environment: { HTTPS_PROXY: "http://proxy.internal:3128" } }],
  ];
  const baseline = JSON.stringify(synthOne().resource.triggers);
  test.each(variants)("changing %s leaves the triggers byte-identical", (_name, props) => {
    const { resource, exec } = synthOne(props);
    expect(JSON.stringify(resource.triggers)).toBe(baseline);
    // and the change did reach the provisioner, which Terraform reads at destroy time
    expect(JSON.stringify(exec)).not.toBe(JSON.stringify(synthOne().exec));
  });

  test("settings reach the provisioner environment", () => {
    const { exec } = synthOne({
      jobTimeout: Duration.hours(2),
      desktopWait: Duration.minutes(10),
      deletionPolicy: DeletionPolicy.RETAIN,
      endpoint: "http://127.0.0.1:8080",
    });
    expect(exec.environment).toMatchObject({
      HW_WORKSPACE_JOB_TIMEOUT: "7200s",
      HW_WORKSPACE_DESKTOP_WAIT: "600s",
      HW_WORKSPACE_DELETION_POLICY: "RETAIN",
      HW_WORKSPACE_ENDPOINT: "http://127.0.0.1:8080",
    });
  });

  test("tokens are allowed for the identity and render into the triggers", () => {
    const { resources } = synthStack((stack) => {
      const project = new TerraformVariable(stack, "project_id", { type: "string" });
      const region = new TerraformVariable(stack, "region", { type: "string" });
      new WorkspaceSubscription(stack, "w", { projectId: project.stringValue, region: region.stringValue });
    });
    expect(resources[0].triggers).toEqual({ project_id: "${var.project_id}", region: "${var.region}" });
    expect(resources[0].provisioner[1]["local-exec"].environment.HW_PROJECT_ID).toBe("${self.triggers.project_id}");
  });
});

describe("escaping", () => {
  test("literal ${ and %{ reach the program unchanged", () => {
    expect(terraformLiteral("a${b}c%{d}")).toBe("a$${b}c%%{d}");
    const { exec } = synthOne({ environment: { EXTRA_NOTE: "cost ${not-a-ref} and %{if x}" } });
    expect(exec.environment.EXTRA_NOTE).toBe("cost $${not-a-ref} and %%{if x}");
  });
});

describe("validation at synth time", () => {
  test.each<[string, Partial<WorkspaceSubscriptionProps>, RegExp]>([
    ["empty project", { projectId: "" }, /projectId must be the ID of the project .* or left out/],
    ["project not hex", { projectId: "my-project" }, /not a project ID: expected 32 lower-case hexadecimal.*My Credentials/],
    ["project upper case", { projectId: PROJECT.toUpperCase() }, /Write it in lower case/],
    ["bad region", { region: "north4" }, /region "north4" is not a Huawei Cloud region name/],
    ["missing region", { region: "" }, /region is required/],
    ["endpoint not a URL", { endpoint: "workspace" }, /endpoint "workspace" is not a URL/],
    ["endpoint http off loopback", { endpoint: "http://workspace.example.com" }, /must use https/],
    ["endpoint with path", { endpoint: "https://workspace.example.com/v2" }, /bare origin/],
    ["job timeout too long", { jobTimeout: Duration.hours(25) }, /at most 24 hours/],
    ["job timeout too short", { jobTimeout: Duration.seconds(3) }, /at least 10 seconds/],
    ["bad deletion policy", { deletionPolicy: "DESTROY" as DeletionPolicy }, /deletionPolicy must be/],
    ["credential in environment", { environment: { HW_SECRET_KEY: "x" } }, /HW_SECRET_KEY looks like a credential/],
    ["access key in environment", { environment: { HW_ACCESS_KEY: "x" } }, /HW_ACCESS_KEY looks like a credential/],
    ["password in environment", { environment: { AD_PASSWORD: "x" } }, /looks like a credential/],
    ["reserved environment", { environment: { HW_WORKSPACE_JOB_TIMEOUT: "5s" } }, /set by the construct itself; use the matching prop/],
  ])("%s", (_name, props, message) => expectInvalid(props, message));

  test("a token for a non-identity prop is refused with the reason", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "test");
    const v = new TerraformVariable(stack, "endpoint", { type: "string" });
    expect(() => new WorkspaceSubscription(stack, "w", { projectId: PROJECT, region: "cn-north-4", endpoint: v.stringValue })).toThrow(
      /endpoint must be a plain string, not a Terraform token: a destroy-time provisioner may reference only "self"/,
    );
  });

  test("Duration refuses fractions and negatives", () => {
    expect(() => Duration.minutes(1.5)).toThrow(/whole number of minutes/);
    expect(() => Duration.seconds(-1)).toThrow(/whole number of seconds/);
  });

  test("create_before_destroy is refused at synth, since it disables destroy provisioners", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "test");
    const ws = new WorkspaceSubscription(stack, "w", { projectId: PROJECT, region: "cn-north-4" });
    ws.resource.addOverride("lifecycle.create_before_destroy", true);
    expect(() => Testing.fullSynth(stack)).toThrow(/create_before_destroy.*Remove the lifecycle override/s);
    const app2 = Testing.app();
    const stack2 = new TerraformStack(app2, "test");
    const ws2 = new WorkspaceSubscription(stack2, "w", { projectId: PROJECT, region: "cn-north-4" });
    ws2.resource.lifecycle = { createBeforeDestroy: true };
    expect(() => Testing.fullSynth(stack2)).toThrow(/create_before_destroy/);
  });

  test("several problems are reported together", () => {
    expectInvalid({ projectId: "x", region: "y" }, /projectId "x"[\s\S]*region "y"/);
  });
});
