// A testdrive's life in the database: statuses, end reasons and moves, and the one status writer.
// (The TestdriveStatus type and zod enum come from enums.ts, built on TESTDRIVE_STATUSES.)
export {
  TESTDRIVE_STATUSES,
  ACTIVE_TESTDRIVE_STATUSES,
  TESTDRIVE_END_REASONS,
  TESTDRIVE_TRANSITIONS,
  isActiveTestdrive,
  testdriveStatusesBefore,
  type TestdriveEndReason,
} from './status';
export { testdriveState, type TestdriveWriter } from './state';
