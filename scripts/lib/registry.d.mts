// Types of registry.mjs for TypeScript callers (tests).
export const REGISTRY_SERVICE: string;
export const REGISTRY_ISSUER: string;
export const REGISTRY_HELP: string;
export function findRegistryBinary(env?: Record<string, string | undefined>): string | null;
export function registryListenPort(registry?: string): number | null;
export function registryConfigYaml(opts: { port: number; storage: string; realm: string; certPath: string; httpSecret: string }): string;
export function isRoutineRegistryLine(line: string): boolean;
export function ensureTokenFiles(tokenDir: string): { keyPath: string; certPath: string; secretPath: string };
export function startRegistry(opts: {
  dataDir: string;
  webPort: number;
  env?: Record<string, string | undefined>;
  onLine?: (line: string) => void;
}): Promise<
  | { child: import('node:child_process').ChildProcess; port: number; host: string; secret: string; config: string; skipped?: undefined }
  | { skipped: string; warn?: boolean; help?: boolean; child?: undefined }
>;
