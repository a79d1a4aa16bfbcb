/**
 * zod → JSON Schema for OpenAI Structured Outputs (`response_format.json_schema.strict: true`).
 *
 * `z.toJSONSchema(schema, { io: 'input' })` describes what the model must *produce* (the input
 * that zod then parses), and strict mode accepts only a subset of JSON Schema, so the result is
 * adjusted:
 * - every object gets `additionalProperties: false` and lists every property in `required`;
 *   properties that were optional become nullable, and `stripOptionalNulls` turns the model's
 *   `null` back into "absent" before zod validates (zod's `.optional()` rejects null);
 * - `oneOf` becomes `anyOf`, a single-branch `allOf` is inlined, `const` becomes a one-value `enum`;
 * - keywords strict mode does not take (`default`, `minLength`, `maxLength`, `uniqueItems`,
 *   `$schema`, ...) are dropped; length limits are kept as a hint in `description` (zod still
 *   enforces them afterwards); `pattern` is dropped where a `format` says the same;
 * - a non-object root is wrapped as `{ value: ... }` (Structured Outputs needs an object root).
 * Constructs strict mode cannot express (records with free-form keys, `not`, tuples...) make the
 * schema non-strict (`strict: false`): the model is still asked for that schema and zod still
 * validates, it is just not grammar-constrained.
 */
import { z } from 'zod';

type Json = Record<string, unknown>;

export interface StrictSchema {
  /** The schema to send as `json_schema.schema`. */
  schema: Json;
  /** False when the schema uses something strict mode cannot express. */
  strict: boolean;
  /** Why strict mode was turned off (empty when strict). */
  reasons: string[];
  /** True when the root was wrapped as `{ value }`: unwrap the model's answer. */
  wrapped: boolean;
  /** The unadjusted JSON Schema, used to map the model's nulls back to absent properties. */
  original: Json;
}

const DROP = new Set([
  '$schema',
  '$id',
  'default',
  'examples',
  'readOnly',
  'writeOnly',
  'uniqueItems',
  'contentEncoding',
  'contentMediaType',
  'minProperties',
  'maxProperties',
  'propertyNames',
]);
const HINTS = ['minLength', 'maxLength'] as const;
const UNSUPPORTED = ['not', 'if', 'then', 'else', 'patternProperties', 'dependencies', 'prefixItems', 'additionalItems', 'contains'];

function isObj(value: unknown): value is Json {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

export function toStrictJsonSchema(schema: z.ZodType): StrictSchema {
  const raw = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Json;
  delete raw.$schema;
  let original: Json = raw;
  let wrapped = false;
  if (raw.type !== 'object' || raw.anyOf || raw.oneOf || raw.allOf) {
    const defs = raw.definitions;
    const inner: Json = { ...raw };
    delete inner.definitions;
    original = { type: 'object', properties: { value: inner }, required: ['value'], additionalProperties: false };
    if (defs) original.definitions = defs;
    wrapped = true;
  }
  const reasons: string[] = [];
  const strictSchema = adjust(structuredClone(original), '#', reasons) as Json;
  if (reasons.length) return { schema: structuredClone(original), strict: false, reasons, wrapped, original };
  return { schema: strictSchema, strict: true, reasons, wrapped, original };
}

function adjust(node: unknown, path: string, reasons: string[]): unknown {
  if (!isObj(node)) return node;
  for (const key of UNSUPPORTED) {
    if (key in node) {
      reasons.push(`${path}: '${key}' is not supported in strict mode`);
      delete node[key];
    }
  }
  for (const key of DROP) delete node[key];
  const hints: string[] = [];
  for (const key of HINTS) {
    if (key in node) {
      hints.push(`${key}: ${String(node[key])}`);
      delete node[key];
    }
  }
  if (hints.length) {
    node.description = [node.description, `(${hints.join(', ')})`].filter(Boolean).join(' ');
  }
  if (typeof node.format === 'string' && typeof node.pattern === 'string') delete node.pattern;
  if (node.minimum === -Number.MAX_SAFE_INTEGER) delete node.minimum;
  if (node.maximum === Number.MAX_SAFE_INTEGER) delete node.maximum;
  if ('const' in node) {
    node.enum = [node.const];
    delete node.const;
  }
  if (Array.isArray(node.oneOf)) {
    node.anyOf = node.oneOf;
    delete node.oneOf;
  }
  if (Array.isArray(node.allOf)) {
    if (node.allOf.length === 1 && isObj(node.allOf[0])) {
      const [only] = node.allOf as Json[];
      delete node.allOf;
      for (const [key, value] of Object.entries(only!)) if (!(key in node)) node[key] = value;
    } else {
      reasons.push(`${path}: 'allOf' is not supported in strict mode`);
    }
  }

  if (!('type' in node) && !('anyOf' in node) && !('$ref' in node) && !('enum' in node)) {
    reasons.push(`${path}: a value of any type is not supported in strict mode`);
  }
  const isObjectType = node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object'));
  if (isObjectType) {
    const props = isObj(node.properties) ? node.properties : {};
    if (isObj(node.additionalProperties) || (node.additionalProperties !== false && !isObj(node.properties))) {
      reasons.push(`${path}: objects with free-form keys (records) are not supported in strict mode`);
    }
    const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
    for (const [key, child] of Object.entries(props)) {
      let next = adjust(child, `${path}/properties/${key}`, reasons);
      if (!required.has(key)) next = nullable(next);
      props[key] = next;
    }
    node.properties = props;
    node.required = Object.keys(props);
    node.additionalProperties = false;
  }
  if ('items' in node) {
    if (Array.isArray(node.items)) reasons.push(`${path}: tuples are not supported in strict mode`);
    else node.items = adjust(node.items, `${path}/items`, reasons);
  }
  if (Array.isArray(node.anyOf)) node.anyOf = node.anyOf.map((b, i) => adjust(b, `${path}/anyOf/${i}`, reasons));
  for (const defsKey of ['definitions', '$defs']) {
    const defs = node[defsKey];
    if (isObj(defs)) {
      for (const [name, def] of Object.entries(defs)) defs[name] = adjust(def, `${path}/${defsKey}/${name}`, reasons);
    }
  }
  return node;
}

function allowsNull(node: unknown): boolean {
  if (!isObj(node)) return node === true;
  if (node.type === 'null' || (Array.isArray(node.type) && node.type.includes('null'))) return true;
  if (Array.isArray(node.enum) && node.enum.includes(null)) return true;
  if (Array.isArray(node.anyOf) && node.anyOf.some(allowsNull)) return true;
  if (Object.keys(node).every((k) => k === 'description' || k === 'title')) return true; // {} accepts anything
  return false;
}

function nullable(node: unknown): unknown {
  if (!isObj(node) || allowsNull(node)) return node;
  if (typeof node.type === 'string' && !node.anyOf && !node.$ref) {
    const out: Json = { ...node, type: [node.type, 'null'] };
    if (Array.isArray(node.enum)) out.enum = [...node.enum, null];
    return out;
  }
  const out: Json = { anyOf: [node, { type: 'null' }] };
  if (typeof node.description === 'string') out.description = node.description;
  return out;
}

/**
 * Removes the `null`s the model had to write for properties that were optional (and not
 * nullable) in the original schema, so zod sees them as absent. Walks value and schema together.
 */
export function stripOptionalNulls(value: unknown, schema: Json, root: Json = schema, depth = 0): unknown {
  if (depth > 64) return value;
  const node = resolveRef(schema, root);
  if (!node) return value;
  if (Array.isArray(value)) {
    const items = node.items;
    return isObj(items) ? value.map((v) => stripOptionalNulls(v, items, root, depth + 1)) : value;
  }
  if (!isObj(value)) return value;
  const branches = (Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : []).filter(isObj);
  if (branches.length) {
    const branch = branches.map((b) => resolveRef(b, root)).find((b) => b && matchesObject(value, b));
    return branch ? stripOptionalNulls(value, branch, root, depth + 1) : value;
  }
  if (!isObj(node.properties)) return value;
  const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    const child = node.properties[key];
    if (v === null && !required.has(key) && !allowsNull(child)) continue;
    out[key] = isObj(child) ? stripOptionalNulls(v, child, root, depth + 1) : v;
  }
  return out;
}

function resolveRef(node: Json, root: Json): Json | undefined {
  let current: Json | undefined = node;
  for (let i = 0; i < 16 && current && typeof current.$ref === 'string'; i++) {
    const ref: string = current.$ref;
    if (ref === '#') {
      current = root;
      continue;
    }
    const match = /^#\/(definitions|\$defs)\/(.+)$/.exec(ref);
    const defs = match ? root[match[1]!] : undefined;
    current = match && isObj(defs) && isObj(defs[decodeURIComponent(match[2]!)]) ? (defs[decodeURIComponent(match[2]!)] as Json) : undefined;
  }
  if (current && Array.isArray(current.allOf) && current.allOf.length === 1 && isObj(current.allOf[0])) {
    return resolveRef(current.allOf[0], root);
  }
  return current;
}

function matchesObject(value: Json, branch: Json): boolean {
  if (!isObj(branch.properties)) return false;
  const props = branch.properties;
  for (const [key, v] of Object.entries(value)) {
    const prop = props[key];
    if (!isObj(prop)) return false;
    if ('const' in prop && prop.const !== v) return false;
    if (Array.isArray(prop.enum) && prop.enum.length === 1 && prop.enum[0] !== v) return false;
  }
  return true;
}
