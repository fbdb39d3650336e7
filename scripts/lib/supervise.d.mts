// Types of supervise.mjs for TypeScript callers (tests).
export const CRASH_WINDOW_MS: number;
export const CRASH_LOOP_COUNT: number;
export interface ChildState {
  restarts: number;
  consecutive: number;
  recentExits: { at: number; exit: string }[];
  delayMs?: number;
  keepsCrashing?: boolean;
}
export function initialChildState(): ChildState;
export function afterExit(state: ChildState, exit: { at: number; ranMs: number; exit: string }): Required<ChildState>;
export function statusDocument(pid: number, entries: unknown[], now?: number): unknown;
export function writeStatusFile(file: string, doc: unknown): void;
export function removeStatusFile(file: string): void;
