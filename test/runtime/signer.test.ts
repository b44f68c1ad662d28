import { AKSKSigner } from "@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner";
import { BasicCredentials } from "@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials";
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  formatSdkDate,
  parseAuthorization,
  parseSdkDate,
  sha256Hex,
  signRequest,
  signature,
  stringToSign,
} from "../../src/runtime/signer";

const AK = "QTWAOYTTINDUT2QVKYUC";
const SK = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";

describe("Huawei's known-answer vector", () => {
  const req = {
    method: "GET",
    path: "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
    query: [
      ["limit", "2"],
      ["marker", "13551d6b-755d-4757-b956-536f674975c0"],
    ] as Array<[string, string]>,
    headers: { "Content-Type": "application/json", Host: "service.region.example.com", "X-Sdk-Date": "20191115T033655Z" },
  };

  test("canonical request hash and signature match the guide", () => {
    const canonical = canonicalRequest(req, ["content-type", "host", "x-sdk-date"]);
    expect(sha256Hex(canonical)).toBe("b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a");
    expect(signature(SK, stringToSign(canonical, "20191115T033655Z"))).toBe("7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe");
  });

  test("signRequest produces the guide's Authorization header", () => {
    const { "X-Sdk-Date": _date, ...headers } = req.headers;
    const signed = signRequest({ ...req, headers }, { accessKey: AK, secretKey: SK }, new Date(Date.UTC(2019, 10, 15, 3, 36, 55)));
    expect(signed["X-Sdk-Date"]).toBe("20191115T033655Z");
    expect(signed.Authorization).toBe(
      `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe`,
    );
  });
});

/** Huawei's own SDK signer as the oracle: same request, same date, same Authorization expected. */
function oracleAuthorization(opts: {
  method: string;
  host: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body?: object;
}): string {
  const request = {
    method: opts.method,
    endpoint: `https://${opts.host}${opts.path}`,
    queryParams: opts.query,
    // The SDK derives the host header from the endpoint itself.
    headers: Object.fromEntries(Object.entries(opts.headers).filter(([k]) => k.toLowerCase() !== "host")),
    data: opts.body,
  };
  const creds = new BasicCredentials().withAk(AK).withSk(SK);
  const out = AKSKSigner.sign(request, creds) as Record<string, string>;
  return out.Authorization;
}

function oursAuthorization(opts: Parameters<typeof oracleAuthorization>[0]): string {
  const query: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(opts.query)) for (const one of Array.isArray(v) ? v : [v]) query.push([k, one]);
  const canonicalHeaders = Object.keys(opts.headers).map((h) => h.toLowerCase());
  const canonical = canonicalRequest(
    { method: opts.method, path: opts.path, query, headers: opts.headers, body: opts.body ? JSON.stringify(opts.body) : "" },
    canonicalHeaders,
  );
  const sig = signature(SK, stringToSign(canonical, opts.headers["X-Sdk-Date"]));
  return `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=${[...canonicalHeaders].sort().join(";")}, Signature=${sig}`;
}

describe("agreement with Huawei's SDK signer (@huaweicloud/huaweicloud-sdk-core AKSKSigner)", () => {
  const base = {
    method: "GET",
    host: "workspace.cn-north-4.myhuaweicloud.com",
    path: "/v2/0123456789abcdef0123456789abcdef/desktops/detail",
    headers: { "Content-Type": "application/json", Host: "workspace.cn-north-4.myhuaweicloud.com", "X-Sdk-Date": "20261203T101500Z" },
  };
  const cases: Array<[string, Partial<Parameters<typeof oracleAuthorization>[0]>]> = [
    ["plain paging query", { query: { limit: "1000", offset: "0" } }],
    ["reserved characters in values", { query: { user_name: "a b+c/d=e&f~g*h'(i)!", computer_name: "x;y,z:@$" } }],
    ["non-ASCII values", { query: { user_name: "张三", computer_name: "Zoë-桌面" } }],
    ["empty values", { query: { desktop_type: "", limit: "10" } }],
    ["repeated names", { query: { status: ["RUNNING", "FAILED", "ACTIVE"] } }],
    ["security token header", { query: {}, headers: { ...base.headers, "X-Security-Token": "tok/with+chars==" } }],
    ["project id header", { query: {}, headers: { ...base.headers, "X-Project-Id": "0123456789abcdef0123456789abcdef" } }],
    ["trailing slash path", { path: "/v2/0123456789abcdef0123456789abcdef/workspaces/", query: {} }],
    ["DELETE without body", { method: "DELETE", path: "/v2/0123456789abcdef0123456789abcdef/workspaces", query: {} }],
    ["POST with JSON body", { method: "POST", path: "/v2/0123456789abcdef0123456789abcdef/workspaces", query: {}, body: { ad_domains: { domain_type: "LITE_AS" } } }],
    ["non-default port in host", { host: "127.0.0.1:8443", query: {}, headers: { ...base.headers, Host: "127.0.0.1:8443" } }],
  ];
  test.each(cases)("%s", (_name, override) => {
    const opts = { ...base, query: {}, ...override } as Parameters<typeof oracleAuthorization>[0];
    expect(oursAuthorization(opts)).toBe(oracleAuthorization(opts));
  });
});

describe("pieces", () => {
  test("canonical URI always ends with a slash and encodes each segment", () => {
    expect(canonicalUri("/v2/abc/workspaces")).toBe("/v2/abc/workspaces/");
    expect(canonicalUri("/v2/abc/workspaces/")).toBe("/v2/abc/workspaces/");
    expect(canonicalUri("/v2/a%20b/c")).toBe("/v2/a%20b/c/");
  });

  test("canonical query encodes spaces as %20 and sorts by name then value", () => {
    expect(canonicalQuery([["b", "2"], ["a", "x y"], ["a", "1"], ["c", ""]])).toBe("a=1&a=x%20y&b=2&c=");
    expect(canonicalQuery([])).toBe("");
  });

  test("a fresh X-Sdk-Date on every signing", () => {
    const req = { method: "GET", path: "/v2/p/workspaces", headers: { Host: "h" } };
    const a = signRequest(req, { accessKey: AK, secretKey: SK }, new Date(Date.UTC(2026, 0, 1, 0, 0, 0)));
    const b = signRequest(req, { accessKey: AK, secretKey: SK }, new Date(Date.UTC(2026, 0, 1, 0, 0, 1)));
    expect(a["X-Sdk-Date"]).toBe("20260101T000000Z");
    expect(b["X-Sdk-Date"]).toBe("20260101T000001Z");
    expect(a.Authorization).not.toBe(b.Authorization);
  });

  test("temporary credentials add a signed X-Security-Token", () => {
    const signed = signRequest({ method: "GET", path: "/", headers: { Host: "h" } }, { accessKey: AK, secretKey: SK, securityToken: "T" });
    expect(signed["X-Security-Token"]).toBe("T");
    expect(parseAuthorization(signed.Authorization)!.signedHeaders).toEqual(["host", "x-sdk-date", "x-security-token"]);
  });

  test("dates and Authorization headers parse back", () => {
    const d = new Date(Date.UTC(2026, 11, 3, 16, 5, 9));
    expect(parseSdkDate(formatSdkDate(d))!.getTime()).toBe(d.getTime());
    expect(parseSdkDate("2026-12-03")).toBeUndefined();
    expect(parseAuthorization("Bearer x")).toBeUndefined();
  });
});
