// DATABASE_URL handling shared by the runtime client and prisma.config.ts: which provider a URL
// means, where a relative SQLite file lives, and which PostgreSQL schema a URL selects.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type DatabaseProvider = 'sqlite' | 'postgres';

export const DEFAULT_DATABASE_URL = 'file:./data/oscompose.db';

export class DatabaseUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUrlError';
  }
}

/** postgres:// and postgresql:// select PostgreSQL; file: (or nothing) selects SQLite. */
export function databaseProvider(url: string): DatabaseProvider {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgres';
  if (url.startsWith('file:')) return 'sqlite';
  throw new DatabaseUrlError(
    `DATABASE_URL "${redactUrl(url)}" is neither a SQLite URL (file:./data/oscompose.db) nor a ` +
      `PostgreSQL URL (postgresql://user:password@host:5432/db). Fix it in .env or the environment.`,
  );
}

/**
 * The monorepo root: the nearest directory at or above `from` whose package.json declares
 * workspaces. Relative SQLite paths are resolved against it, so the web app (cwd apps/web), the
 * worker and the CLI all open the same file.
 */
export function findRepoRoot(from: string = process.cwd()): string {
  let dir = path.resolve(/*turbopackIgnore: true*/ from);
  for (;;) {
    const pkg = path.join(/*turbopackIgnore: true*/ dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).workspaces) return dir;
      } catch {
        // unreadable package.json: keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(/*turbopackIgnore: true*/ from);
    dir = parent;
  }
}

/** Absolute file path of a file: URL; relative paths are taken from the repository root. */
export function sqliteFilePath(url: string, root: string = findRepoRoot()): string {
  const rest = url.replace(/^file:/, '').replace(/\?.*$/, '');
  if (rest === ':memory:') return rest;
  return path.isAbsolute(rest) ? rest : path.resolve(/*turbopackIgnore: true*/ root, rest);
}

export interface PostgresTarget {
  /** The URL without the Prisma-style `schema` parameter (pg does not know it). */
  connectionString: string;
  /** The schema named by `?schema=`, default public. */
  schema: string;
}

export function postgresTarget(url: string): PostgresTarget {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? 'public';
  parsed.searchParams.delete('schema');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) {
    throw new DatabaseUrlError(`schema "${schema}" in DATABASE_URL must be a plain identifier (letters, digits, _).`);
  }
  return { connectionString: parsed.toString(), schema };
}

/** The URL with any password replaced, for logs and error messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
