/**
 * The emulator verifies SDK-HMAC-SHA256 like the gateway: Huawei's own SDK signer is the
 * oracle for "accepted", and every kind of tampering or staleness is refused with the
 * gateway's code.
 */
import { AKSKSigner } from "@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner";
import { BasicCredentials } from "@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials";
import { DEMO_CREDENTIALS, EmulatorCredentials, RunningEmulator, startEmulator } from "../../src/emulator";
import { UNSIGNED_PAYLOAD, parseAuthorization, signRequest } from "../../src/runtime/signer";
import { Reply, call, queryString, rawRequest } from "./client";

const PROJECT = "0123456789abcdef0123456789abcdef";
const TEMPORARY = { accessKey: "TEMPKEY0000000000001", secretKey: "temporary-secret-0001", securityToken: "token-value-that-must-never-be-logged" };

/** Signs with Huawei's own SDK signer and sends exactly what it signed. */
function sdkCall(
  baseUrl: string,
  opts: { method: string; path: string; query?: Record<string, string | string[]>; data?: object; credentials?: EmulatorCredentials },
): Promise<Reply> {
  const creds = opts.credentials ?? DEMO_CREDENTIALS;
  const credential = new BasicCredentials().withAk(creds.accessKey).withSk(creds.secretKey).withProjectId(PROJECT);
  const headers: Record<string, string> = { "Content-Type": "application/json", "X-Project-Id": PROJECT };
  if (creds.securityToken) headers["X-Security-Token"] = creds.securityToken;
  const signed = AKSKSigner.sign(
    { endpoint: `${baseUrl}${opts.path}`, method: opts.method, headers, queryParams: opts.query ?? {}, data: opts.data },
    credential,
  ) as Record<string, string>;
  const pairs = Object.entries(opts.query ?? {}).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x] as const) : [[k, v] as const]));
  return rawRequest(baseUrl, opts.method, opts.path + queryString(pairs), signed, opts.data === undefined ? undefined : JSON.stringify(opts.data));
}

describe("signature verification", () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ credentials: [DEMO_CREDENTIALS, TEMPORARY], jobDurationMs: 50 });
  });
  afterAll(() => emulator.stop());
  beforeEach(() => {
    emulator.control.reset();
    emulator.control.setCredentials([DEMO_CREDENTIALS, TEMPORARY]);
    emulator.control.addTenant(PROJECT);
  });

  describe("accepts what Huawei's SDK signer signs", () => {
    it("GET with a query that needs percent-encoding", async () => {
      emulator.control.addDesktop(PROJECT, { userName: "ä b+c" });
      const reply = await sdkCall(emulator.url, { method: "GET", path: `/v2/${PROJECT}/desktops`, query: { user_name: "ä b+c", limit: "10" } });
      expect(reply.status).toBe(200);
      expect(reply.json.total_count).toBe(1);
    });

    it("GET with a repeated query name", async () => {
      const reply = await sdkCall(emulator.url, { method: "GET", path: `/v2/${PROJECT}/workspace-sub-jobs`, query: { status: ["RUNNING", "FAILED"] } });
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({ total_count: 0, jobs: [] });
    });

    it("POST with a JSON body (the body hash is checked against the bytes received)", async () => {
      const other = "fedcba9876543210fedcba9876543210";
      const reply = await sdkCall(emulator.url, { method: "POST", path: `/v2/${other}/workspaces`, data: { ad_domains: { domain_type: "LITE_AS" } } });
      expect(reply.status).toBe(200);
      expect(reply.json.job_id).toEqual(expect.any(String));
    });

    it("DELETE with temporary credentials and their security token", async () => {
      const reply = await sdkCall(emulator.url, { method: "DELETE", path: `/v2/${PROJECT}/workspaces`, credentials: TEMPORARY });
      expect(reply.status).toBe(202);
      const record = emulator.control.requests().at(-1)!;
      expect(record).toMatchObject({ route: "CancelWorkspace", status: 202, accessKey: TEMPORARY.accessKey, hadSecurityToken: true });
      expect(record.signedHeaders).toEqual(["content-type", "host", "x-project-id", "x-sdk-date", "x-security-token"]);
    });

    it("the project's signer.ts, with an extra unsigned header and an unsigned payload", async () => {
      const plain = await call(emulator.url, { path: `/v2/${PROJECT}/workspaces`, tamper: (h) => (h["X-Unsigned-Extra"] = "fine") });
      expect(plain.status).toBe(200);
      const unsigned = await call(emulator.url, {
        method: "POST",
        path: `/v2/${PROJECT}/workspaces`,
        headers: { "X-Sdk-Content-Sha256": UNSIGNED_PAYLOAD },
        body: { ad_domains: { domain_type: "LITE_AS" } },
      });
      expect(unsigned.status).toBe(409);
      expect(unsigned.json.error_code).toBe("WKS.EMU.0002");
    });
  });

  describe("refuses with 401 APIGW.0301", () => {
    const path = `/v2/${PROJECT}/workspaces`;
    const cases: Array<[string, () => Promise<Reply>]> = [
      ["no Authorization header", () => call(emulator.url, { path, credentials: null })],
      ["a garbled Authorization header", () => call(emulator.url, { path, tamper: (h) => (h.Authorization = "Basic dXNlcjpwYXNz") })],
      ["an unknown access key", () => call(emulator.url, { path, credentials: { accessKey: "UNKNOWNKEY0000000000", secretKey: "x" } })],
      ["the wrong secret key", () => call(emulator.url, { path, credentials: { accessKey: DEMO_CREDENTIALS.accessKey, secretKey: "wrong" } })],
      ["a changed signature", () => call(emulator.url, { path, tamper: (h) => (h.Authorization = h.Authorization.replace(/Signature=(.)/, (_, c) => `Signature=${c === "0" ? "1" : "0"}`)) })],
      ["a changed signed header", () => call(emulator.url, { path, tamper: (h) => (h["Content-Type"] = "text/plain") })],
      ["another path than signed", () => call(emulator.url, { path, sendPath: `/v2/fedcba9876543210fedcba9876543210/workspaces` })],
      ["a body changed after signing", () => sendOtherBodyThanSigned()],
      ["an unsigned X-Sdk-Date", () => call(emulator.url, { path, tamper: (h) => (h.Authorization = h.Authorization.replace("host;x-sdk-date", "host")) })],
    ];
    function sendOtherBodyThanSigned(): Promise<Reply> {
      const headers = signRequest(
        { method: "PUT", path, headers: { Host: new URL(emulator.url).host, "Content-Type": "application/json" }, body: '{"enterprise_id":"a"}' },
        DEMO_CREDENTIALS,
      );
      return rawRequest(emulator.url, "PUT", path, headers, '{"enterprise_id":"b"}');
    }
    it.each(cases)("%s", async (_name, send) => {
      const reply = await send();
      expect(reply.status).toBe(401);
      expect(reply.json).toEqual({ error_code: "APIGW.0301", error_msg: expect.stringContaining("Incorrect IAM authentication information"), request_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
      expect(reply.headers["x-request-id"]).toBe(reply.json.request_id);
      expect(emulator.control.state(PROJECT).service.status).toBe("SUBSCRIBED");
    });

    it("a mismatch echoes the canonical request with | for newlines, as the gateway does", async () => {
      const reply = await call(emulator.url, { path, tamper: (h) => (h["Content-Type"] = "text/plain") });
      expect(reply.json.error_msg).toContain(`verify aksk signature fail, canonical request: GET|/v2/${PROJECT}/workspaces/||content-type:text/plain|`);
    });
  });

  describe("refuses a stale or malformed X-Sdk-Date with 401 APIGW.0303", () => {
    const path = `/v2/${PROJECT}/workspaces`;
    it.each([
      ["16 minutes old", -16],
      ["16 minutes ahead", 16],
    ])("%s", async (_name, minutes) => {
      const reply = await call(emulator.url, { path, signAt: new Date(Date.now() + minutes * 60_000) });
      expect(reply.status).toBe(401);
      expect(reply.json.error_code).toBe("APIGW.0303");
      expect(reply.json.error_msg).toContain("Signature expired");
    });

    it("14 minutes old is still fine", async () => {
      expect((await call(emulator.url, { path, signAt: new Date(Date.now() - 14 * 60_000) })).status).toBe(200);
    });

    it.each([
      ["missing", (h: Record<string, string>) => delete h["X-Sdk-Date"]],
      ["malformed", (h: Record<string, string>) => (h["X-Sdk-Date"] = "2024-01-01T00:00:00Z")],
    ])("%s", async (_name, tamper) => {
      const reply = await call(emulator.url, { path, tamper });
      expect(reply.status).toBe(401);
      expect(reply.json.error_code).toBe("APIGW.0303");
    });

    it("honours clockSkewLimitMs and the injected clock", async () => {
      let now = Date.now() + 3 * 60_000;
      const strict = await startEmulator({ clockSkewLimitMs: 60_000, now: () => now });
      try {
        expect((await call(strict.url, { path: "/v3/projects" })).json.error_code).toBe("APIGW.0303");
        now = Date.now();
        expect((await call(strict.url, { path: "/v3/projects" })).status).toBe(200);
      } finally {
        await strict.stop();
      }
    });
  });

  describe("temporary credentials need their token, signed", () => {
    const path = `/v2/${PROJECT}/workspaces`;
    it("without the token: 401", async () => {
      const { securityToken: _omitted, ...permanentLooking } = TEMPORARY;
      const reply = await call(emulator.url, { path, credentials: permanentLooking });
      expect(reply.status).toBe(401);
      expect(reply.json.error_msg).toContain("X-Security-Token is missing");
    });
    it("with a wrong token: 401", async () => {
      const reply = await call(emulator.url, { path, credentials: { ...TEMPORARY, securityToken: "other-token" } });
      expect(reply.status).toBe(401);
      expect(reply.json.error_msg).toContain("security token is invalid");
    });
    it("with the token sent but not signed: 401", async () => {
      const { securityToken: _omitted, ...permanentLooking } = TEMPORARY;
      const reply = await call(emulator.url, { path, credentials: permanentLooking, tamper: (h) => (h["X-Security-Token"] = TEMPORARY.securityToken) });
      expect(reply.status).toBe(401);
      expect(reply.json.error_msg).toContain("x-security-token must be a signed header");
    });
    it("with the token signed: 200", async () => {
      expect((await call(emulator.url, { path, credentials: TEMPORARY })).status).toBe(200);
    });
  });

  it("setCredentials rotates accepted keys at run time", async () => {
    const path = `/v2/${PROJECT}/workspaces`;
    const rotated = { accessKey: "ROTATEDKEY0000000001", secretKey: "rotated-secret" };
    emulator.control.setCredentials([rotated]);
    expect((await call(emulator.url, { path })).status).toBe(401);
    expect((await call(emulator.url, { path, credentials: rotated })).status).toBe(200);
    expect(() => emulator.control.setCredentials([{ accessKey: "", secretKey: "x" }])).toThrow(/non-empty accessKey and secretKey/);
  });

  it("neither the request log nor the access log holds a secret key, signature or token", async () => {
    const lines: string[] = [];
    const logged = await startEmulator({ credentials: [DEMO_CREDENTIALS, TEMPORARY], log: (l) => lines.push(l) });
    try {
      logged.control.addTenant(PROJECT);
      const signatures: string[] = [];
      const capture = (h: Record<string, string>) => signatures.push(parseAuthorization(h.Authorization)!.signature);
      await call(logged.url, { path: `/v2/${PROJECT}/workspaces`, credentials: TEMPORARY, tamper: capture });
      await call(logged.url, { path: `/v2/${PROJECT}/desktops`, tamper: capture });
      await call(logged.url, { path: `/v2/${PROJECT}/desktops`, credentials: { ...TEMPORARY, secretKey: "wrong-secret" }, tamper: capture });
      const records = logged.control.requests();
      expect(records.map((r) => r.status)).toEqual([200, 200, 401]);
      expect(records[0]).toMatchObject({ accessKey: TEMPORARY.accessKey, hadSecurityToken: true, sdkDate: expect.stringMatching(/^\d{8}T\d{6}Z$/) });
      expect(records[1]).toMatchObject({ accessKey: DEMO_CREDENTIALS.accessKey, hadSecurityToken: false, signedHeaders: ["content-type", "host", "x-sdk-date"] });
      expect(lines).toHaveLength(3);
      const everything = JSON.stringify(records) + "\n" + lines.join("\n") + JSON.stringify(await (await fetch(`${logged.url}/_emulator/requests`)).json());
      for (const secret of [TEMPORARY.secretKey, DEMO_CREDENTIALS.secretKey, TEMPORARY.securityToken, "wrong-secret", ...signatures]) {
        expect(everything).not.toContain(secret);
      }
      expect(everything).toContain(DEMO_CREDENTIALS.accessKey);
    } finally {
      await logged.stop();
    }
  });
});
