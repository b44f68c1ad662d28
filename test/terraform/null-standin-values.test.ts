/**
 * The hashicorp/null stand-in's value handling and null_resource rules, without
 * Terraform: msgpack as Terraform sends it, and the plan/apply/import/upgrade
 * decisions hashicorp/null 3.2 makes.
 */
import { encode, ExtData } from "@msgpack/msgpack";
import {
  containsUnknown,
  decodeDynamicValue,
  encodeDynamicValue,
  sameKnownValue,
  TerraformValue,
  UNKNOWN,
} from "../../tools/null-provider/src/cty-values";
import {
  applyChange,
  importState,
  newResourceId,
  planChange,
  ResourceError,
  toNullResourceState,
  Triggers,
  upgradeState,
} from "../../tools/null-provider/src/null-resource";
import { readHandshakeSettings, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from "../../tools/null-provider/src/go-plugin-server";
import { terraformPlatform } from "../../tools/null-provider/src/terraform-env";

describe("DynamicValue encoding", () => {
  test("decodes Terraform's unknown extensions: code 0, refined code 12 and any other code", () => {
    const refinement = encode(new Map([[1, false]]));
    const bytes = encode({
      id: new ExtData(0, new Uint8Array([0])),
      triggers: { a: new ExtData(12, refinement), b: "x", c: new ExtData(5, new Uint8Array()) },
    });
    expect(decodeDynamicValue({ msgpack: Buffer.from(bytes) })).toEqual({
      id: UNKNOWN,
      triggers: { a: UNKNOWN, b: "x", c: UNKNOWN },
    });
  });

  test("writes unknown as extension code 0 and round-trips null and maps", () => {
    const value: TerraformValue = { id: UNKNOWN, triggers: { a: "1" }, other: null };
    const encoded = encodeDynamicValue(value);
    expect(encoded.msgpack.includes(Buffer.from([0xd4, 0x00]))).toBe(true); // fixext1, type 0
    expect(decodeDynamicValue(encoded)).toEqual(value);
  });

  test("an empty DynamicValue is null, and JSON is read when msgpack is absent", () => {
    expect(decodeDynamicValue({})).toBeNull();
    expect(decodeDynamicValue(undefined)).toBeNull();
    expect(decodeDynamicValue({ json: Buffer.from('{"id":"7","triggers":null}') })).toEqual({ id: "7", triggers: null });
  });

  test("an unknown equals nothing, not even another unknown", () => {
    expect(sameKnownValue({ a: "1" }, { a: "1" })).toBe(true);
    expect(sameKnownValue({ a: "1" }, { a: "2" })).toBe(false);
    expect(sameKnownValue({ a: "1" }, { a: "1", b: "2" })).toBe(false);
    expect(sameKnownValue(null, {})).toBe(false);
    expect(sameKnownValue(UNKNOWN, UNKNOWN)).toBe(false);
    expect(sameKnownValue({ a: UNKNOWN }, { a: UNKNOWN })).toBe(false);
    expect(containsUnknown({ a: [null, UNKNOWN] })).toBe(true);
  });
});

describe("null_resource rules", () => {
  const existing = { id: "42", triggers: { a: "1" } };

  test("create plans an unknown id and keeps the configured triggers", () => {
    expect(planChange(null, { id: null, triggers: { a: "1" } })).toEqual({
      planned: { id: UNKNOWN, triggers: { a: "1" } },
      requiresReplace: false,
    });
  });

  test("unchanged triggers plan no change", () => {
    expect(planChange(existing, { id: "42", triggers: { a: "1" } })).toEqual({ planned: existing, requiresReplace: false });
  });

  test.each<[string, Triggers]>([
    ["a changed value", { a: "2" }],
    ["an added key", { a: "1", b: "2" }],
    ["removed triggers", null],
    ["a value unknown until apply", { a: UNKNOWN }],
  ])("%s requires replacement and keeps the prior id in the update plan", (_name, triggers) => {
    const { planned, requiresReplace } = planChange(existing, { id: "42", triggers });
    expect(requiresReplace).toBe(true);
    expect(planned).toEqual({ id: "42", triggers });
  });

  test("destroy plans null and applies to null", () => {
    expect(planChange(existing, null)).toEqual({ planned: null, requiresReplace: false });
    expect(applyChange(existing, null)).toBeNull();
  });

  test("create applies a random decimal id, like Go's rand.Int()", () => {
    const created = applyChange(null, { id: UNKNOWN, triggers: { a: "1" } });
    expect(created?.id).toMatch(/^\d{1,19}$/);
    expect(created?.triggers).toEqual({ a: "1" });
    const ids = new Set(Array.from({ length: 50 }, newResourceId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(BigInt(id) < 2n ** 63n).toBe(true);
  });

  test("import takes the id and leaves triggers null", () => {
    expect(importState("12345")).toEqual({ id: "12345", triggers: null });
    expect(() => importState("")).toThrow(ResourceError);
  });

  test("upgrade reads stored JSON, drops unknown attributes and reads the old flatmap form", () => {
    expect(upgradeState(0, '{"id":"9","triggers":{"a":"1"},"extra":true}', null)).toEqual({ id: "9", triggers: { a: "1" } });
    expect(upgradeState(0, null, { id: "9", "triggers.%": "1", "triggers.a": "1" })).toEqual({ id: "9", triggers: { a: "1" } });
    expect(upgradeState(0, null, { id: "9" })).toEqual({ id: "9", triggers: null });
    expect(() => upgradeState(1, "{}", null)).toThrow(/newer provider/);
  });

  test("values of the wrong shape are rejected with a message naming the attribute", () => {
    expect(() => toNullResourceState({ id: 5 }, "prior state")).toThrow(/"id" must be a string/);
    expect(() => toNullResourceState({ triggers: { a: 1 } }, "configuration")).toThrow(/triggers\["a"\] must be a string/);
    expect(toNullResourceState(null, "prior state")).toBeNull();
  });
});

describe("go-plugin handshake settings", () => {
  const cookie = { [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE };

  test("refuses to start without Terraform's magic cookie", () => {
    expect(() => readHandshakeSettings({})).toThrow(/not meant to be run by hand/);
  });

  test("needs protocol 5 among the offered versions", () => {
    expect(() => readHandshakeSettings({ ...cookie, PLUGIN_PROTOCOL_VERSIONS: "6" })).toThrow(/speaks only 5/);
    expect(readHandshakeSettings({ ...cookie, PLUGIN_PROTOCOL_VERSIONS: "5,6", PLUGIN_CLIENT_CERT: "PEM" })).toEqual({
      clientCertPem: "PEM",
    });
    expect(readHandshakeSettings({ ...cookie })).toEqual({ clientCertPem: null });
  });

  test("names platforms the way Terraform does", () => {
    expect(terraformPlatform("linux", "x64")).toBe("linux_amd64");
    expect(terraformPlatform("darwin", "arm64")).toBe("darwin_arm64");
    expect(() => terraformPlatform("win32", "x64")).toThrow(/Windows/);
  });
});
