// @oscompose/queue/testing: the test support every test uses (never the package's public index,
// never production code): a free loopback port, waiting for a condition, a private redis-server,
// a real docker-registry on 127.0.0.1, and a migrated database with one user and team.
export { freePort } from './ports';
export { waitFor, Fatal } from './wait';
export { startRedis, type RedisServer } from './redis';
export { startRegistry, REGISTRY_BINARY, type TestRegistry, type StartRegistryOptions } from './registry';
export { createTestDb, type TestDb } from './database';
