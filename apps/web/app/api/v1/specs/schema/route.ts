// GET /api/v1/specs/schema — the spec JSON Schema (public: it describes the format, no team data).
import { loadSpecJsonSchema } from '../../../../../src/server/specs/schema';

export async function GET() {
  const schema = await loadSpecJsonSchema();
  if (!schema) {
    return Response.json(
      { error: { code: 'schema_missing', message: 'The spec JSON Schema is missing: run the spec package generator (packages/spec).' } },
      { status: 503 },
    );
  }
  return Response.json(schema, { headers: { 'Cache-Control': 'public, max-age=300' } });
}
