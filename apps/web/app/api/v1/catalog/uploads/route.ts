// POST /api/v1/catalog/uploads?name=&tag=&kind=&title=&description= — the body is an OCI archive or
// a `docker save` tarball (raw bytes, optionally gzip'd; not multipart). Imported into the image
// store as <registry>/<team slug>/<name>:<tag> and added to the team catalog (admins). 201 + entry.
import { route, json } from '../../../../../src/server/http/route';
import { UploadQuery, uploadArchive } from '../../../../../src/server/catalog/uploadArchive';
import { db } from '../../../../../src/server/db';

export const POST = route({ permission: 'catalog:write', query: UploadQuery }, async ({ caller, query, req }) =>
  json(await uploadArchive(db(), caller, query, req.body), 201),
);
