// Writes schema/linuxkit.schema.json from the zod schema: `npm run gen:schema -w packages/spec`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { specJsonSchemaText } from '../src/jsonSchema';

const target = fileURLToPath(new URL('../schema/linuxkit.schema.json', import.meta.url));
writeFileSync(target, specJsonSchemaText());
console.log(`wrote ${target}`);
