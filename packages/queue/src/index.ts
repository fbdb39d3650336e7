// @oscompose/queue: queue names, job payload schemas, Redis connections, worker heartbeats.
export * from './jobs';
export * from './connection';
export * from './heartbeat';
export * from './queues';
export * from './events';
export * from './worker';
export * from './cancel';
export * from './testdrive';
