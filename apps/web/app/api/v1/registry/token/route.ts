// GET /api/v1/registry/token?service=&scope=… — token-auth endpoint for the image registry
// (docs/auth.md). publicRoute: anonymous clients get a token too, granting pulls of the public
// oscompose/* images only; everything else needs Basic auth with an API token as password.
import path from 'node:path';
import { z } from 'zod';
import { publicRoute, json } from '../../../../../src/server/http/route';
import { db } from '../../../../../src/server/db';
import { webConfig } from '../../../../../src/server/config';
import { grant, identify, issueRegistryToken, parseScope, signingKey, systemSecret } from '../../../../../src/server/auth/registryToken';

export const dynamic = 'force-dynamic';

export const GET = publicRoute(
  { query: z.object({ service: z.string().default('oscompose-registry'), scope: z.union([z.string(), z.array(z.string())]).optional() }) },
  async ({ req, query }) => {
    const dir = webConfig().registryTokenDir;
    const who = await identify(db(), req.headers.get('authorization'), systemSecret(dir));
    if (who === 'refused') {
      return json({ errors: [{ code: 'UNAUTHORIZED', message: 'Use an oscompose API token as the password (docker login -u <you> -p osc_…).' }] }, 401, { 'WWW-Authenticate': 'Basic realm="oscompose"' });
    }
    const scopes = query.scope === undefined ? [] : Array.isArray(query.scope) ? query.scope : [query.scope];
    const access = scopes
      .flatMap((s) => s.split(' '))
      .map(parseScope)
      .filter((s) => s !== null)
      .map((s) => ({ type: s.type, name: s.name, actions: grant(s, who) }));
    const key = signingKey(dir);
    return issueRegistryToken(key, { issuer: webConfig().registryIssuer, service: query.service, subject: who?.userId ?? '', access });
  },
);
