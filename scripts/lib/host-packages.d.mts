// Types of host-packages.mjs for TypeScript callers (tests and their fixtures).
export interface HostPackage {
  name: string;
  needs: 'start' | 'test';
  probe: string;
  purpose: string;
}
export const HOST_PACKAGES_FILE: string;
export const SKIP_VARIABLE: string;
export function parseHostPackages(text: string): HostPackage[];
export function readHostPackages(file?: string): HostPackage[];
export function packagesFor(purpose: 'start' | 'test', rows?: HostPackage[]): HostPackage[];
export function locateProbe(probe: string, env?: Record<string, string | undefined>): string | null;
export function missingPackages(rows: HostPackage[], locate?: (probe: string) => string | null): HostPackage[];
export function installCommand(names: string[]): string;
export function hostToolHelp(probe: string, rows?: HostPackage[]): string;
export function requireHostTool(probe: string): string;
export function privilege(): string[] | null;
export class HostPackagesError extends Error {}
export function ensureHostPackages(
  purpose: 'start' | 'test',
  opts?: { say?: (line: string) => void; warn?: (line: string) => void; env?: Record<string, string | undefined> },
): HostPackage[];
