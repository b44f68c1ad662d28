/**
 * Terraform values as they travel in a tfplugin5 `DynamicValue`.
 *
 * Terraform encodes a value with msgpack, following the schema the provider
 * announced: a block is a map of attribute name to value, `null` is nil, and a
 * value not known until apply is a msgpack *extension*. Code 0 is a plain
 * unknown; code 12 is an unknown with "refinements" (e.g. "not null"). The
 * protocol says to treat every extension code as unknown and to write plain
 * unknowns with code 0, which is all this stand-in does.
 */
import { decode, encode, ExtData, ExtensionCodec } from "@msgpack/msgpack";

/** The one value that stands for "known only after apply". */
export const UNKNOWN: unique symbol = Symbol("terraform unknown value");
export type Unknown = typeof UNKNOWN;

export type TerraformValue =
  | null
  | Unknown
  | string
  | number
  | boolean
  | TerraformValue[]
  | { [key: string]: TerraformValue };

/** A DynamicValue as protobuf hands it over: either field may be empty. */
export interface DynamicValue {
  readonly msgpack?: Buffer | Uint8Array | null;
  readonly json?: Buffer | Uint8Array | null;
}

const UNREFINED_UNKNOWN_CODE = 0;

const codec = new ExtensionCodec();
codec.register({
  type: UNREFINED_UNKNOWN_CODE,
  // The payload is ignored by every reader; cty itself writes a single zero byte.
  encode: (input: unknown) => (input === UNKNOWN ? new Uint8Array([0]) : null),
  decode: () => UNKNOWN,
});

/**
 * Extension codes other than 0 (12 = refined unknown, and any future code)
 * come out of the decoder as ExtData, or as a Date for msgpack's built-in
 * timestamp code -1. All of them mean "unknown" here.
 */
function normalizeExtensions(value: unknown): TerraformValue {
  if (value instanceof ExtData || value instanceof Date) return UNKNOWN;
  if (Array.isArray(value)) return value.map(normalizeExtensions);
  if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
    const result: { [key: string]: TerraformValue } = {};
    for (const [key, item] of Object.entries(value)) result[key] = normalizeExtensions(item);
    return result;
  }
  return value as TerraformValue;
}

export function isUnknown(value: unknown): value is Unknown {
  return value === UNKNOWN;
}

/** True if the value is, or contains anywhere inside it, an unknown. */
export function containsUnknown(value: TerraformValue): boolean {
  if (value === UNKNOWN) return true;
  if (value === null || typeof value !== "object") return false;
  const children = Array.isArray(value) ? value : Object.values(value);
  return children.some(containsUnknown);
}

/**
 * Decodes a DynamicValue. An empty message (neither field set) is Terraform's
 * way of sending a null object, e.g. the prior state of a resource being
 * created.
 */
export function decodeDynamicValue(value: DynamicValue | null | undefined): TerraformValue {
  if (value?.msgpack && value.msgpack.length > 0) {
    return normalizeExtensions(decode(value.msgpack, { extensionCodec: codec }));
  }
  if (value?.json && value.json.length > 0) {
    return JSON.parse(Buffer.from(value.json).toString("utf8")) as TerraformValue;
  }
  return null;
}

/** Encodes a value as a msgpack DynamicValue, the form Terraform always accepts. */
export function encodeDynamicValue(value: TerraformValue): { msgpack: Buffer } {
  const bytes = encode(value, { extensionCodec: codec });
  return { msgpack: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

/** Structural equality in Terraform's sense: an unknown equals nothing, not even itself. */
export function sameKnownValue(a: TerraformValue, b: TerraformValue): boolean {
  if (a === UNKNOWN || b === UNKNOWN) return false;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") {
    return a === b;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameKnownValue(item, b[i]));
  }
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => Object.prototype.hasOwnProperty.call(b, key) && sameKnownValue(a[key], b[key]));
}
