#!/usr/bin/env node
// Operator command (no UI needed): create the first user, team and API token, change roles.
// Runs apps/web/src/server/auth/admin.ts through tsx; `node scripts/admin.mjs --help` for usage.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const res = spawnSync(tsx, [path.join(root, 'apps/web/src/server/auth/admin.ts'), ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exit(res.status ?? 1);
