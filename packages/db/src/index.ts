// @oscompose/db: the Prisma client (SQLite by default, PostgreSQL when DATABASE_URL says so),
// the string enums of the model, the build state (statuses, the one status writer and event
// appender), and the migration runner.
export { createPrisma, type PrismaClient, type CreatePrismaOptions } from './client';
// Types only: the generated client is loaded at runtime by client.ts (see loadGenerated).
export type * from '@oscompose/db-client/sqlite';
export { isUniqueViolation, isRecordNotFound, prismaErrorCode } from './errors';
export * from './enums';
export { installationId, installationRedisPrefix } from './installation';
export { teamRegistryEntries } from './teamRegistries';
export * from './buildState';
export * from './testdriveState';
export { BaseEnv, ConfigError, baseConfig, configError, parseEnv, registryAuthEnv, type ArtifactStoreSettings, type BaseConfig } from './serverConfig';
export { applyMigrations, readMigrations, pendingMigrations, migrationsDir, MigrationError, type Migration } from './migrate';
export {
  databaseProvider,
  findRepoRoot,
  sqliteFilePath,
  postgresTarget,
  redactUrl,
  DEFAULT_DATABASE_URL,
  DatabaseUrlError,
  type DatabaseProvider,
} from './url';
