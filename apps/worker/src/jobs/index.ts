// The job hosts this worker runs. The build pipeline registers its BullMQ worker here.
import type { JobHost, WorkerContext } from '../context';

export async function startJobHosts(_ctx: WorkerContext): Promise<JobHost[]> {
  return [];
}
