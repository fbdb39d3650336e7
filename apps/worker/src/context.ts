// What a job host gets from the worker process, and what it hands back so the process can
// report it (heartbeat) and stop it (SIGTERM).
import type { PrismaClient } from '@oscompose/db';
import type { Redis } from 'ioredis';
import type { WorkerConfig } from './config';
import type { Logger } from './logger';

export interface WorkerContext {
  config: WorkerConfig;
  log: Logger;
  prisma: PrismaClient;
  /** The installation this worker serves (its database's Installation row) and its Redis prefix. */
  installationId: string;
  redisPrefix: string;
  /** Opens a new blocking-safe Redis connection (BullMQ Worker needs its own). */
  redisConnection: () => Redis;
}

export interface JobHost {
  /** e.g. "builds". */
  name: string;
  /** Jobs running right now (reported in the heartbeat). */
  activeJobs(): number;
  /** Stop taking jobs, let running ones finish or hand them back, close connections. */
  close(): Promise<void>;
}
