// Which installation this web app serves (its database's Installation row) and the Redis prefix
// every key and channel it uses is named under. Read once per process; a failure (database not
// up yet) is not remembered, so the next request tries again.
import { installationId, installationRedisPrefix } from '@oscompose/db';
import { webConfig } from './config';
import { db } from './db';

export interface Installation {
  id: string;
  redisPrefix: string;
}

const holder = globalThis as unknown as { __oscomposeInstallation?: Promise<Installation> };

export function installation(): Promise<Installation> {
  if (!holder.__oscomposeInstallation) {
    const pending = (async () => ({
      id: await installationId(db()),
      redisPrefix: await installationRedisPrefix(db(), webConfig().redisPrefix),
    }))();
    pending.catch(() => {
      if (holder.__oscomposeInstallation === pending) holder.__oscomposeInstallation = undefined;
    });
    holder.__oscomposeInstallation = pending;
  }
  return holder.__oscomposeInstallation;
}
