// GET /api/v1/builds — the team's builds (paginated); POST /api/v1/builds — submit a build (202).
import { json, route } from '../../../../src/server/http/route';
import { CreateBuildInput, createBuild } from '../../../../src/server/builds/createBuild';
import { ListBuildsQuery, listBuilds } from '../../../../src/server/builds/listBuilds';
import { buildPageUrl } from '../../../../src/server/publicUrl';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'build:read', query: ListBuildsQuery }, ({ caller, query }) => listBuilds(caller, query));

export const POST = route({ permission: 'build:create', body: CreateBuildInput }, async ({ req, caller, body }) => {
  const created = await createBuild(caller, body);
  return json({ ...created, pageUrl: buildPageUrl(req, created.id) }, 202, { Location: created.url });
});
