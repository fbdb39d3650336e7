// GET /api/v1/formats → { formats: [{ name, available, missing: [{ tool, debianPackage }] }] }
import { route } from '../../../../src/server/http/route';
import { listFormats } from '../../../../src/server/formats/listFormats';

export const GET = route({ permission: 'format:read' }, async () => ({ formats: await listFormats() }));
