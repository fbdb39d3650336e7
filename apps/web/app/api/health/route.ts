// GET /api/health: { status, database, redis, workers, problems }. 200 only when the database
// and Redis answer and at least one worker has a live heartbeat; 503 otherwise. No auth: load
// balancers and `npm start` poll it, and it reveals no data.
import { healthReport, liveProbes } from '../../../src/server/health';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(): Promise<Response> {
  const report = await healthReport(liveProbes());
  return Response.json(report, {
    status: report.status === 'ok' ? 200 : 503,
    headers: { 'cache-control': 'no-store' },
  });
}
