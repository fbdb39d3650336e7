// One installation's web side in a process of its own, configured only by its environment (as
// the real web app is): the builds API and /api/health through the same handlers Next.js runs,
// with the real build services (their database, Redis prefix and queue come from the
// environment and the installation's database, not from setBuildDeps). Every request acts as
// OSCOMPOSE_TEST_USER of OSCOMPOSE_TEST_TEAM. Prints `listening <url>` when ready.
import { setCallerResolver, startApiServer } from '@oscompose/web/testing';

const userId = process.env.OSCOMPOSE_TEST_USER!;
const teamId = process.env.OSCOMPOSE_TEST_TEAM!;
setCallerResolver(async () => ({ userId, teamId, role: 'owner', via: 'local' }));
const api = await startApiServer();
console.log(`listening ${api.url}`);
process.on('SIGTERM', () => void api.close().then(() => process.exit(0)));
