/**
 * `workspace-subscription emulator` as a function: flags, output, and a clean stop.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as esbuild from "esbuild";
import { DEMO_CREDENTIALS } from "../../src/emulator";
import { EMULATOR_HELP, parseDuration, runEmulatorCli } from "../../src/emulator/cli";
import { call } from "./client";

interface Session {
  readonly out: string[];
  readonly err: string[];
  readonly stop: () => void;
  readonly exit: Promise<number>;
}

function start(argv: string[]): Session {
  const out: string[] = [];
  const err: string[] = [];
  const controller = new AbortController();
  const exit = runEmulatorCli(argv, {}, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), signal: controller.signal });
  return { out, err, stop: () => controller.abort(), exit };
}

async function urlOf(session: Session): Promise<string> {
  for (let i = 0; i < 200 && !session.out.join("").includes("listening on"); i++) await new Promise((r) => setTimeout(r, 5));
  const m = /listening on (http:\/\/\S+)/.exec(session.out.join(""));
  if (!m) throw new Error(`no URL printed; stdout: ${session.out.join("")}; stderr: ${session.err.join("")}`);
  return m[1];
}

it("--help prints the usage, mentions --print-credentials, exits 0", async () => {
  const session = start(["--help"]);
  expect(await session.exit).toBe(0);
  expect(session.out.join("")).toBe(EMULATOR_HELP);
  expect(EMULATOR_HELP).toMatch(/--print-credentials\s+Also print the demo SECRET key/);
});

it.each([
  [["--host", "0.0.0.0"], /--host must be one of 127\.0\.0\.1, ::1, localhost/],
  [["--port", "http"], /--port wants an integer/],
  [["--job-duration", "5"], /--job-duration wants a duration with a unit/],
  [["--desktop", "abc:3"], /seed the project first with --seed-project abc/],
  [["--seed-project", "p1", "--desktop", "p1:0"], /COUNT 1-10000/],
  [["--seed-project", "p1", "--seed-project", "p1:cn-east-3"], /same project ID twice/],
  [["--seed-project", "p1:CN NORTH"], /region must look like cn-north-4/],
  [["--bogus"], /Unknown option '--bogus'/],
])("refuses %j with exit 2 and a reason", async (argv, reason) => {
  const session = start(argv);
  expect(await session.exit).toBe(2);
  expect(session.err.join("")).toMatch(reason);
  expect(session.out).toEqual([]);
});

it("parses durations with units only", () => {
  expect(parseDuration("250ms", "--x")).toBe(250);
  expect(parseDuration("1.5s", "--x")).toBe(1500);
  expect(parseDuration("2m", "--x")).toBe(120_000);
});

it("serves seeded projects, logs requests to stderr, prints the access key but not the secret, stops on abort", async () => {
  const session = start(["emulator", "--seed-project", "proj-a", "--seed-project", "proj-b:cn-east-3", "--desktop", "proj-a:2", "--job-duration", "50ms"]);
  try {
    const url = await urlOf(session);
    const output = session.out.join("");
    expect(output).toContain(`export HW_WORKSPACE_ENDPOINT=${url} HW_IAM_ENDPOINT=${url}`);
    expect(output).toContain(`export HW_ACCESS_KEY=${DEMO_CREDENTIALS.accessKey}`);
    expect(output).not.toContain(DEMO_CREDENTIALS.secretKey);
    expect(output).toContain("seeded project proj-a (cn-north-4): SUBSCRIBED, 2 desktop(s)");
    expect((await call(url, { path: "/v2/proj-a/desktops" })).json.total_count).toBe(2);
    expect((await call(url, { path: "/v3/projects", query: [["name", "cn-east-3"]] })).json.projects.map((p: any) => p.id)).toEqual(["proj-b"]);
    expect(session.err.join("")).toMatch(/GET \/v2\/proj-a\/desktops -> 200 ListDesktops ak=EMULATORDEMOKEY00001/);
    expect(session.err.join("")).not.toContain(DEMO_CREDENTIALS.secretKey);
  } finally {
    session.stop();
  }
  expect(await session.exit).toBe(0);
  expect(session.out.join("")).toContain("Workspace emulator stopped.");
});

it("--print-credentials prints the secret as an export line; --quiet logs nothing", async () => {
  const session = start(["--print-credentials", "--quiet"]);
  try {
    const url = await urlOf(session);
    expect(session.out.join("")).toContain(`export HW_ACCESS_KEY=${DEMO_CREDENTIALS.accessKey} HW_SECRET_KEY=${DEMO_CREDENTIALS.secretKey}`);
    await call(url, { path: "/v3/projects" });
    expect(session.err).toEqual([]);
  } finally {
    session.stop();
  }
  expect(await session.exit).toBe(0);
});

it("a port in use: exit 2 with a hint", async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve()));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const session = start(["--port", String(port)]);
    expect(await session.exit).toBe(2);
    expect(session.err.join("")).toMatch(new RegExp(`port ${port} is in use; choose another --port`));
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
});

describe("as a shipped single-file program", () => {
  let bundle: string;
  let workDir: string;

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "emulator-cli-"));
    const entry = path.join(workDir, "entry.ts");
    fs.writeFileSync(entry, `import { runEmulatorCli } from ${JSON.stringify(path.resolve(__dirname, "../../src/emulator/cli"))};\nrunEmulatorCli(process.argv.slice(2), process.env).then((code) => { process.exitCode = code; });\n`);
    bundle = path.join(workDir, "emulator.js");
    // The emulator ships inside one file: nothing of node_modules may end up in it.
    const result = esbuild.buildSync({ entryPoints: [entry], bundle: true, platform: "node", target: "node18", outfile: bundle, logLevel: "silent", metafile: true });
    const inputs = Object.keys(result.metafile!.inputs);
    expect(inputs.filter((i) => i.includes("node_modules"))).toEqual([]);
  });
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  it.each(["SIGTERM", "SIGINT"] as const)("stops cleanly on %s with exit 0", async (signal) => {
    const child = spawn(process.execPath, [bundle, "--seed-project", "p1", "--quiet"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      for (let i = 0; i < 400 && !stdout.includes("listening on"); i++) await new Promise((r) => setTimeout(r, 10));
      const url = /listening on (http:\/\/\S+)/.exec(stdout)![1];
      expect((await call(url, { path: "/v2/p1/workspaces" })).json.status).toBe("SUBSCRIBED");
      child.kill(signal);
      expect(await exited).toBe(0);
      expect(stdout).toContain("Workspace emulator stopped.");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
