// @oscompose/web/testing: what other packages' tests (the worker's pipeline tests, the chaos
// script, the .env.example check) need of the web app: its builds API served by the real route
// handlers, the seams that point it at a test's database, queue and caller, and its config.
export { startApiServer, type ApiServer } from '../builds/testing/apiServer';
export { buildDeps, setBuildDeps, type BuildDeps } from '../builds/deps';
export { setCallerResolver } from '../auth/resolveCaller';
export type { Caller, CallerResolver } from '../auth/caller';
export { runAdmin } from '../auth/admin';
export { listFormats } from '../formats/listFormats';
export { loadWebConfig, WebEnv } from '../config';
export { launchBrowser } from '../../../e2e/support/browser';
