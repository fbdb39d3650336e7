import { defineConfig } from 'vitest/config';

// One runner for the whole monorepo. Each test file lives next to the code it tests.
// Integration tests talk to real services (Redis, SQLite/PostgreSQL, a registry, QEMU,
// Chromium); scripts/test.mjs makes sure those are up before this runs.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'apps/*/e2e/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/.next/**'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
