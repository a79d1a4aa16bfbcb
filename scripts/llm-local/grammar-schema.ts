/**
 * JSON Schema as OpenAI clients send it (`response_format.json_schema.schema`) → the JSON Schema
 * dialect of node-llama-cpp's grammar (`llama.createGrammarForJsonSchema`). Pure.
 *
 * The grammar builder does not reject what it cannot read: it falls back to `null`. So a property
 * written `anyOf: [{...}, {type: 'null'}]`, or a nullable object `type: ['object', 'null']`, would
 * be generated as `null` every time, silently (that is what a strict OpenAI schema, like Baton's
 * `{ value, quote } | null` facts, looks like). This conversion:
 * - turns `anyOf` into `oneOf` (the builder's only union);
 * - splits a `type` list that holds `object` or `array` into `oneOf` branches (the builder reads
 *   lists of scalar types only): `['object', 'null']` → `oneOf: [{type: 'object', ...}, {type: 'null'}]`;
 * - moves `definitions` to `$defs` and rewrites `#/definitions/X` references (the builder resolves
 *   `#/$defs/` only);
 * - keeps `enum`, `const`, string lengths, item counts and the date formats; drops what only
 *   validates (`pattern`, `minimum`, other formats, `required`: every listed property is generated);
 * - refuses, with the path, what it cannot express (`not`, `if`, `allOf` of several schemas, a
 *   schema with no type at all), instead of letting it become `null`.
 */

type Json = Record<string, unknown>;

export class UnsupportedSchemaError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

const SCALARS = new Set(['string', 'number', 'integer', 'boolean', 'null']);
const GRAMMAR_FORMATS = new Set(['date-time', 'time', 'date']);
const REFUSED = ['not', 'if', 'then', 'else', 'patternProperties', 'dependentSchemas', 'dependencies', 'contains', 'unevaluatedProperties'];

function isObj(value: unknown): value is Json {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

export function toGrammarSchema(schema: unknown): Json {
  if (!isObj(schema)) throw new UnsupportedSchemaError('#', 'expected a JSON Schema object');
  const out = convert(schema, '#');
  const defs = schema.$defs ?? schema.definitions;
  if (isObj(defs)) {
    out.$defs = Object.fromEntries(Object.entries(defs).map(([name, def]) => [name, convert(def, `#/$defs/${name}`)]));
  }
  return out;
}

function convert(node: unknown, path: string): Json {
  if (node === true) throw new UnsupportedSchemaError(path, 'a schema that accepts anything has no grammar; give it a type');
  if (!isObj(node)) throw new UnsupportedSchemaError(path, 'expected a schema object');
  for (const key of REFUSED) if (key in node) throw new UnsupportedSchemaError(path, `'${key}' cannot be expressed as a grammar`);

  if (typeof node.$ref === 'string') {
    const ref = node.$ref.replace(/^#\/definitions\//, '#/$defs/');
    if (!ref.startsWith('#/$defs/')) throw new UnsupportedSchemaError(path, `only local references (#/$defs/..., #/definitions/...) are supported, got "${node.$ref}"`);
    return { $ref: ref };
  }
  if ('const' in node) return { const: node.const };
  if (Array.isArray(node.enum)) return { enum: node.enum };

  const union = Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : undefined;
  if (union) {
    const key = Array.isArray(node.anyOf) ? 'anyOf' : 'oneOf';
    return { oneOf: union.map((branch, i) => convert(branch, `${path}/${key}/${i}`)) };
  }
  if (Array.isArray(node.allOf)) {
    if (node.allOf.length !== 1) throw new UnsupportedSchemaError(path, `'allOf' of ${node.allOf.length} schemas cannot be expressed as a grammar`);
    const { allOf, ...rest } = node;
    return convert({ ...rest, ...(allOf[0] as Json) }, `${path}/allOf/0`);
  }

  const types = typeof node.type === 'string' ? [node.type] : Array.isArray(node.type) ? (node.type as unknown[]) : [];
  if (types.length === 0) throw new UnsupportedSchemaError(path, 'a schema with no type, enum, const or union would be generated as null');
  for (const t of types) {
    if (typeof t !== 'string' || (!SCALARS.has(t) && t !== 'object' && t !== 'array')) {
      throw new UnsupportedSchemaError(path, `unknown type ${JSON.stringify(t)}`);
    }
  }
  const branches: Json[] = [];
  const scalars = (types as string[]).filter((t) => SCALARS.has(t));
  if (types.includes('object')) branches.push(objectSchema(node, path));
  if (types.includes('array')) branches.push(arraySchema(node, path));
  if (scalars.length) branches.push(scalarSchema(node, scalars));
  return branches.length === 1 ? branches[0]! : { oneOf: branches };
}

function objectSchema(node: Json, path: string): Json {
  const out: Json = { type: 'object' };
  const props = isObj(node.properties) ? node.properties : {};
  out.properties = Object.fromEntries(Object.entries(props).map(([key, child]) => [key, convert(child, `${path}/properties/${key}`)]));
  const extra = node.additionalProperties;
  if (isObj(extra)) out.additionalProperties = convert(extra, `${path}/additionalProperties`);
  else if (extra === true || (extra === undefined && !isObj(node.properties))) out.additionalProperties = true;
  for (const key of ['minProperties', 'maxProperties'] as const) if (typeof node[key] === 'number') out[key] = node[key];
  return out;
}

function arraySchema(node: Json, path: string): Json {
  const out: Json = { type: 'array' };
  if (Array.isArray(node.items)) throw new UnsupportedSchemaError(path, "tuple 'items' lists are not supported; use 'prefixItems'");
  if (node.items !== undefined) out.items = convert(node.items, `${path}/items`);
  if (Array.isArray(node.prefixItems)) out.prefixItems = node.prefixItems.map((item, i) => convert(item, `${path}/prefixItems/${i}`));
  for (const key of ['minItems', 'maxItems'] as const) if (typeof node[key] === 'number') out[key] = node[key];
  return out;
}

function scalarSchema(node: Json, scalars: string[]): Json {
  if (scalars.length === 1 && scalars[0] === 'string') {
    const out: Json = { type: 'string' };
    if (typeof node.format === 'string' && GRAMMAR_FORMATS.has(node.format)) out.format = node.format;
    else {
      for (const key of ['minLength', 'maxLength'] as const) if (typeof node[key] === 'number') out[key] = node[key];
    }
    return out;
  }
  return { type: scalars.length === 1 ? scalars[0] : scalars };
}
