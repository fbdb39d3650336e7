// A build's life in the database: its statuses and moves, the one status writer, the one event appender.
// (The BuildStatus type and zod enum come from enums.ts, built on BUILD_STATUSES.)
export { BUILD_STATUSES, FINAL_STATUSES, ACTIVE_STATUSES, TRANSITIONS, isFinalStatus, canTransition, statusesBefore, type FinalStatus } from './status';
export { buildState, LostOwnershipError, type BuildWriter, type BuildFields } from './state';
export { buildEventStore, appendBuildEvent, type BuildEventRecord, type BuildEventStore } from './events';
