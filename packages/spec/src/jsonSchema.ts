// The JSON Schema of a spec, generated from the zod schema, for monaco-yaml (completion, hover,
// validation in the editor). Committed as schema/linuxkit.schema.json; a test guards drift.
import { z } from 'zod';
import { specSchema } from './schema';

export const SPEC_SCHEMA_ID = 'https://oscompose.dev/schema/linuxkit.schema.json';

export function specJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(specSchema, {
    target: 'draft-07',
    io: 'input',
    unrepresentable: 'throw',
    override: ({ jsonSchema }) => {
      // zod bounds every integer to the JS safe range; that is noise in the editor's hovers.
      const js = jsonSchema as Record<string, unknown>;
      if (js.type === 'integer' && js.minimum === Number.MIN_SAFE_INTEGER) delete js.minimum;
      if (js.type === 'integer' && js.maximum === Number.MAX_SAFE_INTEGER) delete js.maximum;
    },
  }) as Record<string, unknown>;
  describeRefs(schema, (schema.definitions ?? {}) as Record<string, { description?: string }>);
  return { ...schema, $id: SPEC_SCHEMA_ID, title: 'LinuxKit spec (oscompose)' };
}

/** A field that only points at a shared definition gets that definition's description (hover). */
function describeRefs(node: unknown, defs: Record<string, { description?: string }>): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach((n) => describeRefs(n, defs));
  const n = node as Record<string, unknown>;
  const allOf = n.allOf as { $ref?: string }[] | undefined;
  const ref = n.$ref as string | undefined ?? (allOf?.length === 1 ? allOf[0]!.$ref : undefined);
  if (ref && n.description === undefined) {
    const description = defs[ref.replace('#/definitions/', '')]?.description;
    if (description) n.description = description;
  }
  for (const v of Object.values(n)) describeRefs(v, defs);
}

/** The exact text committed at schema/linuxkit.schema.json. */
export function specJsonSchemaText(): string {
  return `${JSON.stringify(specJsonSchema(), null, 2)}\n`;
}
