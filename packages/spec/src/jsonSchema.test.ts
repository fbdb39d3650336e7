import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { specJsonSchema, specJsonSchemaText } from './jsonSchema';
import { fieldsAt } from './fields';

const committedPath = new URL('../schema/linuxkit.schema.json', import.meta.url);

/** Every property of every object in the JSON Schema, with its path. */
function properties(node: unknown, path: string, out: { path: string; schema: Record<string, unknown> }[] = []) {
  if (!node || typeof node !== 'object') return out;
  const n = node as Record<string, unknown>;
  for (const [k, v] of Object.entries((n.properties as Record<string, unknown>) ?? {})) {
    out.push({ path: `${path}.${k}`, schema: v as Record<string, unknown> });
    properties(v, `${path}.${k}`, out);
  }
  for (const key of ['items', 'additionalProperties']) if (n[key] && typeof n[key] === 'object') properties(n[key], `${path}[]`, out);
  for (const [k, v] of Object.entries((n.definitions as Record<string, unknown>) ?? {})) properties(v, `#${k}`, out);
  return out;
}

describe('JSON Schema', () => {
  it('committed file matches the zod schema (run `npm run gen:schema -w packages/spec` after changing it)', () => {
    expect(readFileSync(committedPath, 'utf8')).toBe(specJsonSchemaText());
  });

  it('describes every field: what it does, its default (or that it is required), an example', () => {
    const props = properties(specJsonSchema(), '$');
    expect(props.length).toBeGreaterThan(100);
    const incomplete = props.filter((p) => {
      const d = p.schema.description;
      return typeof d !== 'string' || d.length < 30 || !/Default: |Required\./.test(d) || !/Example: /.test(d);
    });
    expect(incomplete.map((p) => `${p.path}: ${String(p.schema.description)}`)).toEqual([]);
  });

  it('rejects unknown keys everywhere, like the parser', () => {
    const schema = specJsonSchema() as { additionalProperties?: unknown; definitions: Record<string, { additionalProperties?: unknown }> };
    expect(schema.additionalProperties).toBe(false);
    for (const [name, def] of Object.entries(schema.definitions)) expect([name, def.additionalProperties]).toEqual([name, false]);
  });

  it('lists the same service fields as the parser knows', () => {
    const image = (specJsonSchema() as { definitions: { image: { properties: Record<string, unknown> } } }).definitions.image;
    expect(Object.keys(image.properties).sort()).toEqual(fieldsAt(['services', 0]).sort());
    expect(Object.keys(image.properties)).toEqual(expect.arrayContaining(['binds.add', 'capabilities.add', 'runtime', 'devices']));
  });
});

describe('JSON Schema and zod schema agree on the corpus', async () => {
  const { readdirSync, readFileSync: read } = await import('node:fs');
  const { parseDocument } = await import('yaml');
  const { Ajv } = await import('ajv');
  const { specSchema } = await import('./schema');
  const { parseOptions } = await import('./yamlOptions');
  const validate = new Ajv({ strict: false, allErrors: true }).compile(specJsonSchema());
  const files = ['good', 'bad'].flatMap((kind) => {
    const dir = new URL(`../test/corpus/${kind}/`, import.meta.url);
    return readdirSync(dir).filter((f) => f.endsWith('.yml')).map((f) => ({ name: `${kind}/${f}`, text: read(new URL(f, dir), 'utf8') }));
  });
  it.each(files.map((f) => [f.name, f.text]))('%s', (_name, text) => {
    const doc = parseDocument(text, parseOptions);
    if (doc.errors.length) return; // YAML syntax: neither schema sees it
    let value: unknown;
    try {
      value = doc.toJS() ?? {};
    } catch {
      return; // unresolvable alias: a YAML problem too
    }
    expect(validate(value)).toBe(specSchema.safeParse(value).success);
  });
});
