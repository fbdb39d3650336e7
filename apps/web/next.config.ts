// Next.js config for the oscompose web app. Everything must build and run offline:
// workspace packages ship TypeScript source (transpiled here), native/server-only
// libraries stay external, and Monaco is bundled (never fetched from a CDN).
import type { NextConfig } from 'next';
import path from 'node:path';

process.env.NEXT_TELEMETRY_DISABLED = '1';

const nextConfig: NextConfig = {
  transpilePackages: [
    '@oscompose/bootcheck',
    '@oscompose/spec',
    '@oscompose/db',
    '@oscompose/queue',
    '@oscompose/storage',
    '@oscompose/catalog',
    '@oscompose/engine',
  ],
  serverExternalPackages: [
    '@oscompose/db-client',
    'better-sqlite3',
    '@prisma/client',
    '@prisma/adapter-better-sqlite3',
    '@prisma/adapter-pg',
    'prisma',
    'pg',
    'bullmq',
    'ioredis',
    'pino',
  ],
  // The monorepo root holds the lockfile; tell Next so it stops guessing.
  outputFileTracingRoot: path.join(import.meta.dirname, '../..'),
  turbopack: {
    root: path.join(import.meta.dirname, '../..'),
    // Shared packages export pure code next to a few file-reading helpers; the browser bundle
    // of the composer gets a stub for node:fs instead of failing to build.
    resolveAlias: {
      'node:fs/promises': { browser: './src/browser-shims/node-fs.ts' },
      'fs/promises': { browser: './src/browser-shims/node-fs.ts' },
    },
  },
  poweredByHeader: false,
  // End-to-end tests build into their own directory so they never race `npm start`'s build.
  distDir: process.env.OSCOMPOSE_NEXT_DIST_DIR || '.next',
  // `npm run typecheck` covers types; e2e tests set this to build while sibling packages are mid-change.
  typescript: { ignoreBuildErrors: process.env.OSCOMPOSE_SKIP_TYPECHECK === '1' },
  typedRoutes: false,
};

export default nextConfig;
