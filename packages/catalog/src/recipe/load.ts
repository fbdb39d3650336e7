// Reads and validates the recipe files (recipes/*.yml). Adding an image is adding a file.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { RecipeError } from '../errors';
import { RecipeSchema, type Recipe } from './schema';

export const RECIPES_DIR = fileURLToPath(new URL('../../recipes', import.meta.url));

export function parseRecipe(text: string, file = 'recipe'): Recipe {
  let data: unknown;
  try {
    data = parse(text);
  } catch (e) {
    throw new RecipeError(`not valid YAML: ${(e as Error).message}`, file);
  }
  const r = RecipeSchema.safeParse(data);
  if (!r.success) {
    const why = r.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
    throw new RecipeError(`does not match the recipe schema: ${why}`, file);
  }
  return r.data;
}

export async function loadRecipes(dir = RECIPES_DIR): Promise<Recipe[]> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const out: Recipe[] = [];
  for (const f of files) {
    const recipe = parseRecipe(await readFile(join(dir, f), 'utf8'), f);
    if (recipe.name + '.yml' !== f && recipe.name + '.yaml' !== f) throw new RecipeError(`file name must be ${recipe.name}.yml`, f);
    out.push(recipe);
  }
  return out;
}
