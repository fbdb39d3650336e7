// The web app's settings: the shared server settings (@oscompose/db BaseEnv) plus the web's own,
// read from the environment here and nowhere else in the web app, validated with zod, with
// defaults that make `npm start` work on a fresh clone. Every setting is in .env.example.
import path from 'node:path';
import { z } from 'zod';
import { BaseEnv, ConfigError, baseConfig, configError, parseEnv, registryAuthEnv, type BaseConfig } from '@oscompose/db';
import { operatorRegistries } from '@oscompose/engine';

export { ConfigError };

const optionalBytes = z.coerce.number().int().min(1).optional();

export const WebEnv = BaseEnv.extend({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  // The address people use (behind a TLS proxy: its https URL); docs/auth.md, "Behind TLS".
  OSCOMPOSE_PUBLIC_URL: z.string().url().optional(),
  /** Older names of OSCOMPOSE_PUBLIC_URL, still read when it is unset. */
  PUBLIC_URL: z.string().url().optional(),
  BETTER_AUTH_URL: z.string().url().optional(),
  /** Secret for sessions and encrypted registry credentials. Required in production. */
  AUTH_SECRET: z.string().min(32, 'must be at least 32 characters (openssl rand -hex 32)').optional(),
  // Key material for encrypted registry credentials; default AUTH_SECRET.
  OSCOMPOSE_SECRET: z.string().min(1).optional(),
  OSCOMPOSE_ALLOW_DEV_SECRET: z.string().optional(),
  OSCOMPOSE_OPEN_SIGNUP: z.string().optional(),
  // The registry the web app serves tokens for (docs/registry.md).
  OSCOMPOSE_REGISTRY_TOKEN_DIR: z.string().min(1).optional(),
  OSCOMPOSE_REGISTRY_ISSUER: z.string().min(1).default('oscompose'),
  // Uploaded image archives (docs/security.md, "Limits").
  OSCOMPOSE_UPLOAD_MAX_BYTES: optionalBytes,
  OSCOMPOSE_UPLOAD_MAX_UNPACKED_BYTES: optionalBytes,
  // `oscompose-admin`: the password of a user it creates, when not given on stdin.
  OSCOMPOSE_ADMIN_PASSWORD: z.string().min(1).optional(),
  // Testdrives (docs/testdrive.md): the time limit a new one gets, the most extending may reach,
  // and the memory and CPUs asked for (each worker caps them again).
  OSCOMPOSE_TESTDRIVE_MINUTES: z.coerce.number().int().min(1).default(15),
  OSCOMPOSE_TESTDRIVE_MAX_MINUTES: z.coerce.number().int().min(1).default(60),
  OSCOMPOSE_TESTDRIVE_MEMORY_MB: z.coerce.number().int().min(64).default(1024),
  OSCOMPOSE_TESTDRIVE_CPUS: z.coerce.number().int().min(1).default(1),
});

export interface WebConfig extends BaseConfig {
  port: number;
  /** The URL users reach the app at (OSCOMPOSE_PUBLIC_URL): auth, invitation and CLI links. */
  publicUrl: string;
  /** It was set: it pins the auth base URL (otherwise better-auth takes it from the request). */
  publicUrlSet: boolean;
  /** Session cookies are Secure exactly when the public URL is https. */
  secureCookies: boolean;
  authSecret: string;
  /** Key material for encrypted registry credentials (OSCOMPOSE_SECRET, else authSecret). */
  serverSecret: string;
  /** Anyone may sign up and gets a team (OSCOMPOSE_OPEN_SIGNUP=1); else by invitation. */
  openSignup: boolean;
  /** The operator's allowed registries (OSCOMPOSE_ALLOWED_REGISTRIES + the own registry). */
  allowedRegistries: string[];
  /** The operator's OSCOMPOSE_REGISTRY_AUTH_<HOST> credentials, as the engine looks them up. */
  registryAuth: Record<string, string>;
  /** Absolute: the registry token key and certificate (data/registry-token). */
  registryTokenDir: string;
  registryIssuer: string;
  upload: { maxBytes?: number; maxUnpackedBytes?: number };
  adminPassword?: string;
  /** What a new testdrive gets: time limit and its most after extending (minutes), memory, CPUs. */
  testdrive: { minutes: number; maxMinutes: number; memoryMb: number; cpus: number };
}

// Only for development and tests, so a fresh clone signs in without setup.
const DEV_AUTH_SECRET = 'oscompose-development-secret-do-not-use-in-production';

/** Parses the environment; throws ConfigError listing every bad variable and what it expects. */
export function loadWebConfig(env: Record<string, string | undefined> = process.env, cwd: string = process.cwd()): WebConfig {
  const e = parseEnv(WebEnv, env, 'web');
  if (e.NODE_ENV === 'production' && !e.AUTH_SECRET && e.OSCOMPOSE_ALLOW_DEV_SECRET !== '1') {
    throw new ConfigError('AUTH_SECRET must be set in production (openssl rand -hex 32).');
  }
  const base = baseConfig(e, 'web', cwd);
  const authSecret = e.AUTH_SECRET ?? DEV_AUTH_SECRET;
  // Default: the address npm start prints.
  const configuredUrl = e.OSCOMPOSE_PUBLIC_URL ?? e.PUBLIC_URL ?? e.BETTER_AUTH_URL;
  const publicUrl = configuredUrl ?? `http://localhost:${e.PORT}`;
  return {
    ...base,
    port: e.PORT,
    publicUrl: publicUrl.replace(/\/$/, ''),
    publicUrlSet: Boolean(configuredUrl),
    secureCookies: publicUrl.startsWith('https:'),
    authSecret,
    serverSecret: e.OSCOMPOSE_SECRET ?? authSecret,
    openSignup: e.OSCOMPOSE_OPEN_SIGNUP === '1',
    allowedRegistries: allowedRegistries(e.OSCOMPOSE_ALLOWED_REGISTRIES, e.OSCOMPOSE_REGISTRY),
    registryAuth: registryAuthEnv(env),
    registryTokenDir: path.resolve(cwd, e.OSCOMPOSE_REGISTRY_TOKEN_DIR ?? path.join(e.OSCOMPOSE_DATA_DIR, 'registry-token')),
    registryIssuer: e.OSCOMPOSE_REGISTRY_ISSUER,
    upload: { maxBytes: e.OSCOMPOSE_UPLOAD_MAX_BYTES, maxUnpackedBytes: e.OSCOMPOSE_UPLOAD_MAX_UNPACKED_BYTES },
    adminPassword: e.OSCOMPOSE_ADMIN_PASSWORD,
    testdrive: {
      minutes: e.OSCOMPOSE_TESTDRIVE_MINUTES,
      maxMinutes: Math.max(e.OSCOMPOSE_TESTDRIVE_MAX_MINUTES, e.OSCOMPOSE_TESTDRIVE_MINUTES),
      memoryMb: e.OSCOMPOSE_TESTDRIVE_MEMORY_MB,
      cpus: e.OSCOMPOSE_TESTDRIVE_CPUS,
    },
  };
}

let cached: WebConfig | undefined;

/** The process's config, parsed once. */
export function webConfig(): WebConfig {
  cached ??= loadWebConfig();
  return cached;
}

function allowedRegistries(setting: string | undefined, own: string): string[] {
  try {
    return operatorRegistries(setting, own);
  } catch (err) {
    throw configError('web', [`OSCOMPOSE_ALLOWED_REGISTRIES: ${(err as Error).message}`]);
  }
}
