// GET /api/v1/specs/schema — the spec JSON Schema for the editor. Public: it describes the
// format and holds no team data, and the editor loads it before anyone needs to sign in.
import { publicRoute } from '../../../../../src/server/http/route';
import { UnavailableError } from '../../../../../src/server/errors';
import { loadSpecJsonSchema } from '../../../../../src/server/specs/schema';

export const GET = publicRoute({}, async () => {
  const schema = await loadSpecJsonSchema();
  if (!schema) throw new UnavailableError('The spec JSON Schema is missing: run the spec package generator (packages/spec, gen:schema).', 'schema_missing');
  return Response.json(schema, { headers: { 'Cache-Control': 'public, max-age=300' } });
});
