// GET|HEAD /api/v1/builds/:id/artifacts/:name — the artifact file; HTTP Range; checksum headers.
import { z } from 'zod';
import { route } from '../../../../../../../src/server/http/route';
import { downloadArtifact } from '../../../../../../../src/server/builds/downloadArtifact';

export const dynamic = 'force-dynamic';

// An artifact is named by a plain file name; anything that could mean a path is refused before
// the lookup (the lookup is by row, so it would only find nothing, but say so plainly).
const ArtifactName = z
  .string()
  .min(1)
  .max(255)
  .refine((n) => !/[/\\\u0000-\u001f\u007f]/.test(n) && n !== '.' && n !== '..', 'an artifact file name such as linuxkit-kernel (no "/", "\\", ".." or control characters)');

const params = z.object({ id: z.string().min(1), name: ArtifactName });

export const GET = route({ permission: 'artifact:download', params }, ({ caller, params, req }) => downloadArtifact(caller, params.id, params.name, req));
export const HEAD = GET;
