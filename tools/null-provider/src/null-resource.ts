/**
 * `null_resource` as hashicorp/null 3.2 serves it: schema version 0, a
 * computed `id` and an optional `triggers` map of strings. Any change of
 * `triggers` replaces the resource; nothing else ever changes.
 *
 * Pure functions on decoded values; the gRPC layer decodes, calls these and
 * encodes. Errors are thrown as `ResourceError` and become diagnostics.
 */
import { randomBytes } from "node:crypto";
import { isUnknown, sameKnownValue, TerraformValue, UNKNOWN, Unknown } from "./cty-values";

export const NULL_RESOURCE_TYPE = "null_resource";
export const NULL_RESOURCE_SCHEMA_VERSION = 0;

export type Triggers = null | Unknown | { [key: string]: string | null | Unknown };

export interface NullResourceState {
  readonly id: string | null | Unknown;
  readonly triggers: Triggers;
}

/** A problem that Terraform should show as an error diagnostic. */
export class ResourceError extends Error {
  constructor(
    readonly summary: string,
    readonly detail: string,
  ) {
    super(`${summary}: ${detail}`);
    this.name = "ResourceError";
  }
}

/** The attribute list of the schema, in the shape of tfplugin5 `Schema.Attribute`. */
export const NULL_RESOURCE_ATTRIBUTES = [
  {
    name: "id",
    type: JSON.stringify("string"),
    description: "This is set to a random value at create time.",
    computed: true,
  },
  {
    name: "triggers",
    type: JSON.stringify(["map", "string"]),
    description:
      "A map of arbitrary strings that, when changed, will force the null resource to be replaced, re-running any associated provisioners.",
    optional: true,
  },
] as const;

export const NULL_RESOURCE_DESCRIPTION =
  "The `null_resource` resource implements the standard resource lifecycle but takes no further action. " +
  "(Served by the offline stand-in for hashicorp/null used in this project's tests.)";

/** Reads a decoded object value as null_resource state; `null` stays `null` (no object). */
export function toNullResourceState(value: TerraformValue, what: string): NullResourceState | null {
  if (value === null) return null;
  if (isUnknown(value) || typeof value !== "object" || Array.isArray(value)) {
    throw new ResourceError(`Invalid ${what}`, `Expected a null_resource object, got ${describe(value)}.`);
  }
  const id = value.id ?? null;
  if (id !== null && !isUnknown(id) && typeof id !== "string") {
    throw new ResourceError(`Invalid ${what}`, `Attribute "id" must be a string, got ${describe(id)}.`);
  }
  return { id, triggers: toTriggers(value.triggers ?? null, what) };
}

function toTriggers(value: TerraformValue, what: string): Triggers {
  if (value === null || isUnknown(value)) return value;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ResourceError(`Invalid ${what}`, `Attribute "triggers" must be a map of strings, got ${describe(value)}.`);
  }
  const triggers: { [key: string]: string | null | Unknown } = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== null && !isUnknown(item) && typeof item !== "string") {
      throw new ResourceError(`Invalid ${what}`, `triggers["${key}"] must be a string, got ${describe(item)}.`);
    }
    triggers[key] = item;
  }
  return triggers;
}

/** Back to a plain value with every schema attribute present, as Terraform expects. */
export function fromNullResourceState(state: NullResourceState | null): TerraformValue {
  if (state === null) return null;
  return { id: state.id, triggers: state.triggers };
}

export interface PlannedChange {
  readonly planned: NullResourceState | null;
  /** True when `triggers` changed on an existing resource: Terraform must replace it. */
  readonly requiresReplace: boolean;
}

/**
 * PlanResourceChange. `proposed` is Terraform's merge of prior state and
 * configuration; `null` means the resource is being destroyed.
 */
export function planChange(prior: NullResourceState | null, proposed: NullResourceState | null): PlannedChange {
  if (proposed === null) return { planned: null, requiresReplace: false };
  if (prior === null) {
    // Create: the id is chosen at apply time.
    return { planned: { id: UNKNOWN, triggers: proposed.triggers }, requiresReplace: false };
  }
  // Update of an existing object: keep the id (hashicorp/null's "use state
  // for unknown"); any difference in triggers, including an unknown value,
  // forces a replacement, exactly like the framework's RequiresReplace.
  const requiresReplace = !sameKnownValue(
    prior.triggers as TerraformValue,
    proposed.triggers as TerraformValue,
  );
  return { planned: { id: prior.id, triggers: proposed.triggers }, requiresReplace };
}

/** ApplyResourceChange: destroy (planned null), create (prior null) or an in-place no-op. */
export function applyChange(prior: NullResourceState | null, planned: NullResourceState | null): NullResourceState | null {
  if (planned === null) return null;
  if (prior === null) return { id: newResourceId(), triggers: planned.triggers };
  return planned;
}

/** ImportResourceState: the given id becomes the state; triggers are unknown to us, so null. */
export function importState(id: string): NullResourceState {
  if (id === "") throw new ResourceError("Invalid import id", "An import id must not be empty.");
  return { id, triggers: null };
}

/**
 * UpgradeResourceState. Schema version 0 is the only version there ever was,
 * so "upgrading" means reading the stored JSON (or the flatmap form written by
 * Terraform 0.11 and older) and dropping attributes we do not know.
 */
export function upgradeState(version: number, rawJson: string | null, flatmap: Record<string, string> | null): NullResourceState {
  if (version > NULL_RESOURCE_SCHEMA_VERSION) {
    throw new ResourceError(
      "Unsupported state version",
      `The state was written by a newer provider (schema version ${version}); this stand-in knows version ${NULL_RESOURCE_SCHEMA_VERSION}.`,
    );
  }
  if (rawJson !== null && rawJson.length > 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawJson);
    } catch (error) {
      throw new ResourceError("Invalid stored state", `The stored state is not JSON: ${(error as Error).message}`);
    }
    const state = toNullResourceState((parsed ?? null) as TerraformValue, "stored state");
    if (state === null) throw new ResourceError("Invalid stored state", "The stored state is null.");
    return state;
  }
  return fromFlatmap(flatmap ?? {});
}

function fromFlatmap(flatmap: Record<string, string>): NullResourceState {
  const keys = Object.keys(flatmap).filter((key) => key.startsWith("triggers.") && key !== "triggers.%");
  const triggers: { [key: string]: string } = {};
  for (const key of keys) triggers[key.slice("triggers.".length)] = flatmap[key];
  const hasTriggers = "triggers.%" in flatmap || keys.length > 0;
  return { id: flatmap.id ?? null, triggers: hasTriggers ? triggers : null };
}

/**
 * hashicorp/null uses Go's `rand.Int()`: a non-negative 63-bit integer in
 * decimal. Same shape here, from a cryptographic source.
 */
export function newResourceId(): string {
  const bits = randomBytes(8).readBigUInt64BE() & ((1n << 63n) - 1n);
  return bits.toString(10);
}

function describe(value: TerraformValue): string {
  if (isUnknown(value)) return "an unknown value";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
