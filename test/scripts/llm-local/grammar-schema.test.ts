import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { llmFactsSchema } from '../../../domain/qualify/facts';
import { llmReplySchema } from '../../../domain/converse/reply-llm';
import { llmRuleSchema } from '../../../domain/route/rules';
import { toStrictJsonSchema } from '../../../integrations/openai/strict-schema';
import { toGrammarSchema, UnsupportedSchemaError } from '../../../scripts/llm-local/grammar-schema';

type Json = Record<string, unknown>;

/** Every node of a schema with its path, to check what the grammar builder would meet. */
function* nodes(node: unknown, path = '#'): Generator<[string, Json]> {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) yield* nodes(item, `${path}/${i}`);
    return;
  }
  yield [path, node as Json];
  for (const [key, value] of Object.entries(node)) if (key !== 'enum' && key !== 'const') yield* nodes(value, `${path}/${key}`);
}

/** What node-llama-cpp 3.21.1's builder reads as `null` (it does not reject them). */
function nullTraps(schema: Json): string[] {
  const traps: string[] = [];
  for (const [path, node] of nodes(schema)) {
    if (path.endsWith('/properties') || path.endsWith('/$defs')) continue;
    if ('anyOf' in node) traps.push(`${path}: anyOf`);
    if (Array.isArray(node.type) && node.type.some((t) => t === 'object' || t === 'array')) traps.push(`${path}: type ${JSON.stringify(node.type)}`);
    if (typeof node.$ref === 'string' && !node.$ref.startsWith('#/$defs/')) traps.push(`${path}: $ref ${node.$ref}`);
  }
  return traps;
}

describe('JSON Schema → node-llama-cpp grammar dialect', () => {
  it("leaves none of the shapes the builder silently generates as null in Baton's own schemas", () => {
    for (const schema of [llmFactsSchema, llmRuleSchema, llmReplySchema]) {
      const strict = toStrictJsonSchema(schema as z.ZodType).schema;
      expect(nullTraps(strict).length).toBeGreaterThan(0); // what Baton's adapter sends has them...
      expect(nullTraps(toGrammarSchema(strict))).toEqual([]); // ...and the server removes every one
    }
  });

  it('turns a nullable object written as anyOf into oneOf of the object and null', () => {
    const strict = toStrictJsonSchema(llmFactsSchema).schema as { properties: Record<string, unknown> };
    expect(strict.properties.budgetUsd).toHaveProperty('anyOf');
    expect((toGrammarSchema(strict) as { properties: Record<string, unknown> }).properties.budgetUsd).toEqual({
      oneOf: [{ type: 'object', properties: { value: { type: 'number' }, quote: { type: ['string', 'null'] } } }, { type: 'null' }],
    });
  });

  it('splits a type list holding object or array into branches, keeping scalar lists as they are', () => {
    expect(
      toGrammarSchema({
        type: 'object',
        properties: {
          place: { type: ['object', 'null'], properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
          tags: { type: ['array', 'null'], items: { type: 'string' }, maxItems: 3 },
          count: { type: ['integer', 'null'] },
        },
      }),
    ).toEqual({
      type: 'object',
      properties: {
        place: { oneOf: [{ type: 'object', properties: { city: { type: 'string' } } }, { type: 'null' }] },
        tags: { oneOf: [{ type: 'array', items: { type: 'string' }, maxItems: 3 }, { type: 'null' }] },
        count: { type: ['integer', 'null'] },
      },
    });
  });

  it('moves definitions to $defs and rewrites their references', () => {
    const out = toGrammarSchema({
      type: 'object',
      properties: { a: { $ref: '#/definitions/target' }, b: { anyOf: [{ $ref: '#/definitions/target' }, { type: 'null' }] } },
      definitions: { target: { type: 'object', properties: { id: { enum: ['sarah', 'mark'] } } } },
    });
    expect(out).toEqual({
      type: 'object',
      properties: { a: { $ref: '#/$defs/target' }, b: { oneOf: [{ $ref: '#/$defs/target' }, { type: 'null' }] } },
      $defs: { target: { type: 'object', properties: { id: { enum: ['sarah', 'mark'] } } } },
    });
  });

  it('keeps enums (with null), consts, string lengths and date formats; drops validation-only keywords', () => {
    expect(toGrammarSchema({ type: ['string', 'null'], enum: ['a', null] })).toEqual({ enum: ['a', null] });
    expect(toGrammarSchema({ const: 'x' })).toEqual({ const: 'x' });
    expect(toGrammarSchema({ type: 'string', maxLength: 12, pattern: '^a', description: 'd' })).toEqual({ type: 'string', maxLength: 12 });
    expect(toGrammarSchema({ type: 'string', format: 'date-time' })).toEqual({ type: 'string', format: 'date-time' });
    expect(toGrammarSchema({ type: 'string', format: 'email' })).toEqual({ type: 'string' });
    expect(toGrammarSchema({ type: 'number', minimum: 0 })).toEqual({ type: 'number' });
    expect(toGrammarSchema({ allOf: [{ type: 'boolean' }] })).toEqual({ type: 'boolean' });
  });

  it('refuses, with the path, what it cannot express instead of letting it become null', () => {
    const refused = (schema: unknown) => {
      try {
        toGrammarSchema(schema);
      } catch (err) {
        expect(err).toBeInstanceOf(UnsupportedSchemaError);
        return (err as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refused({ type: 'object', properties: { x: {} } })).toBe('#/properties/x: a schema with no type, enum, const or union would be generated as null');
    expect(refused({ type: 'object', properties: { x: { not: { type: 'string' } } } })).toMatch(/^#\/properties\/x: 'not'/);
    expect(refused({ allOf: [{ type: 'string' }, { maxLength: 3 }] })).toMatch(/^#: 'allOf' of 2 schemas/);
    expect(refused({ $ref: 'https://example.com/s.json' })).toMatch(/only local references/);
    expect(refused({ type: 'object', properties: { x: { type: 'date' } } })).toBe('#/properties/x: unknown type "date"');
  });
});
