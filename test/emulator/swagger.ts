/**
 * A checker for the subset of Swagger 2.0 schemas Huawei's API definitions use: $ref, allOf,
 * type, properties, additionalProperties (as a map schema), items, enum, maxLength,
 * minLength, pattern, required. It also reports fields the schema does not know, so the
 * emulator cannot drift into inventing fields.
 *
 * Not checked, on purpose: minimum/maximum and minItems/maxItems. Huawei's definitions set
 * bounds their own API breaks (ListDesktopsDetail: total_count maximum 55 and desktops
 * minItems 1, while the same API pages up to 1000 and answers an empty list).
 */
import * as fs from "node:fs";
import * as path from "node:path";

export type Schema = Record<string, any>;

export interface ApiDefinition {
  readonly name: string;
  readonly definitions: Record<string, Schema>;
  readonly responses: Record<string, { schema?: Schema }>;
}

/** `<repoRoot>/../shared/huawei-api-definitions`: in CI the repo is cloned elsewhere with shared/ beside it. */
export const DEFINITIONS_DIR = path.resolve(__dirname, "../../../shared/huawei-api-definitions");

export function loadDefinition(file: string): ApiDefinition {
  const raw = JSON.parse(fs.readFileSync(path.join(DEFINITIONS_DIR, file), "utf8"));
  const operation = Object.values(raw.paths as Record<string, Record<string, any>>)
    .flatMap((methods) => Object.values(methods))
    .find((op) => op.operationId === raw.name);
  if (!operation) throw new Error(`${file}: no operation ${raw.name}`);
  return { name: raw.name, definitions: raw.definitions, responses: operation.responses };
}

export interface Deviation {
  /** Dotted schema location, e.g. "Links.next". */
  readonly at: string;
  readonly allow: "null" | "empty-string";
  /** Why the deviation is right (cite the source). */
  readonly why: string;
}

export interface CheckResult {
  readonly errors: string[];
  /** Fields present in the value but absent from the schema, as JSON paths. */
  readonly unknownFields: string[];
}

export function check(schema: Schema, value: unknown, definitions: Record<string, Schema>, deviations: ReadonlyArray<Deviation> = []): CheckResult {
  const result: CheckResult = { errors: [], unknownFields: [] };
  walk(schema, value, "$", "", definitions, deviations, result);
  return result;
}

function resolve(schema: Schema, definitions: Record<string, Schema>): { schema: Schema; name?: string } {
  if (schema.$ref) {
    const name = String(schema.$ref).replace("#/definitions/", "");
    const target = definitions[name];
    if (!target) throw new Error(`unresolved $ref ${schema.$ref}`);
    return { schema: target, name };
  }
  return { schema };
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** The schema's properties, merged across allOf. */
function propertiesOf(schema: Schema, definitions: Record<string, Schema>): { properties: Record<string, Schema>; required: string[] } {
  const properties: Record<string, Schema> = { ...(schema.properties ?? {}) };
  const required: string[] = [...(schema.required ?? [])];
  for (const part of schema.allOf ?? []) {
    const sub = propertiesOf(resolve(part, definitions).schema, definitions);
    Object.assign(properties, sub.properties);
    required.push(...sub.required);
  }
  return { properties, required };
}

function walk(raw: Schema, value: unknown, at: string, schemaAt: string, definitions: Record<string, Schema>, deviations: ReadonlyArray<Deviation>, out: CheckResult): void {
  const { schema, name } = resolve(raw, definitions);
  const where = name ?? schemaAt;
  const actual = typeOf(value);
  const allowed = (kind: Deviation["allow"]) => deviations.some((d) => d.at === schemaAt && d.allow === kind);

  if (value === null) {
    if (!allowed("null")) out.errors.push(`${at}: null is not allowed (${schemaAt || where})`);
    return;
  }
  const type = schema.type ?? (schema.properties || schema.allOf ? "object" : undefined);
  if (type) {
    const ok = type === actual || (type === "number" && actual === "integer");
    if (!ok) {
      out.errors.push(`${at}: expected ${type}, got ${actual}`);
      return;
    }
  }
  if (typeof value === "string") {
    if (schema.enum && !schema.enum.includes(value)) out.errors.push(`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(", ")}`);
    const emptyAllowed = value === "" && allowed("empty-string");
    if (schema.minLength !== undefined && value.length < schema.minLength && !emptyAllowed) out.errors.push(`${at}: shorter than minLength ${schema.minLength}`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) out.errors.push(`${at}: longer than maxLength ${schema.maxLength}`);
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) out.errors.push(`${at}: does not match ${schema.pattern}`);
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => walk(schema.items, item, `${at}[${i}]`, `${where}[]`, definitions, deviations, out));
  }
  if (actual === "object") {
    const obj = value as Record<string, unknown>;
    const { properties, required } = propertiesOf(schema, definitions);
    for (const key of required) if (!(key in obj)) out.errors.push(`${at}: required field ${key} is missing`);
    const mapSchema = typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined;
    for (const [key, child] of Object.entries(obj)) {
      if (properties[key]) walk(properties[key], child, `${at}.${key}`, `${where}.${key}`, definitions, deviations, out);
      else if (mapSchema) walk(mapSchema, child, `${at}.${key}`, `${where}.*`, definitions, deviations, out);
      // A name the schema requires is known even when its definition forgets the property (IAM's ProjectResult.description).
      else if (!required.includes(key)) out.unknownFields.push(`${at}.${key}`);
    }
  }
}
