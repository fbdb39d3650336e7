// Which fields the schema allows at a spec path: did-you-mean suggestions and the editor's
// completion both need the list of keys valid in one map.
import type { z } from 'zod';
import { imageConfigFieldsSchema, specSchema } from './schema';
import { LABEL_ROOT } from './labelRoot';

type AnySchema = z.core.$ZodType;

function unwrap(s: AnySchema): AnySchema {
  let cur = s;
  for (;;) {
    const def = cur._zod.def as { type: string; innerType?: AnySchema };
    if ((def.type === 'optional' || def.type === 'nullable' || def.type === 'default') && def.innerType) cur = def.innerType;
    else return cur;
  }
}

/** The schema of the value at path, or undefined when the path leaves the schema. */
export function schemaAt(path: readonly (string | number)[], root: AnySchema = specSchema): AnySchema | undefined {
  let cur: AnySchema | undefined = unwrap(root);
  for (const step of path) {
    if (!cur) return undefined;
    const def = cur._zod.def as { type: string; shape?: Record<string, AnySchema>; element?: AnySchema; valueType?: AnySchema };
    if (def.type === 'object' && typeof step === 'string') cur = def.shape?.[step];
    else if (def.type === 'array' && typeof step === 'number') cur = def.element;
    else if (def.type === 'record' && typeof step === 'string') cur = def.valueType;
    else return undefined;
    if (cur) cur = unwrap(cur);
  }
  return cur;
}

/** The keys allowed in the map at path (empty when it is not a map of known keys). */
export function fieldsAt(path: readonly (string | number)[]): string[] {
  const s = path[0] === LABEL_ROOT ? schemaAt(path.slice(1), imageConfigFieldsSchema) : schemaAt(path);
  const def = s?._zod.def as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}
