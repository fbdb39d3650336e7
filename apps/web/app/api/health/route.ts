// GET /api/health: { status, database, redis, workers, problems, warnings }. 200 only when the
// database and Redis answer and at least one worker has a live heartbeat; 503 otherwise.
// Warnings (a worker that keeps crashing) do not change the status. No auth: load
// balancers and `npm start` poll it, and it reveals no data.
import { ConfigError, webConfig } from '../../../src/server/config';
import { healthReport, liveProbes } from '../../../src/server/health';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(): Promise<Response> {
  const headers = { 'cache-control': 'no-store' };
  try {
    webConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // A bad setting is not a database or Redis outage: say which setting.
    return Response.json(
      { status: 'down', database: 'down', redis: 'down', workers: [], problems: [err.message], warnings: [] },
      { status: 503, headers },
    );
  }
  const report = await healthReport(liveProbes());
  return Response.json(report, { status: report.status === 'ok' ? 200 : 503, headers });
}
