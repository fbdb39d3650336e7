// Run under flock by ensureBuilt(): builds the web app into .next-e2e unless the last build is
// newer than every source file. Checking inside the lock means parallel test files build once.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const [webDir, distDir, specSrc] = process.argv.slice(2);

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.next') || entry.name === 'e2e' || entry.name.endsWith('.tsbuildinfo') || entry.name === 'next-env.d.ts') continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const stamp = path.join(webDir, distDir, 'BUILD_ID');
const sources = Math.max(newestMtime(webDir), newestMtime(specSrc));
if (existsSync(stamp) && statSync(stamp).mtimeMs > sources && !process.env.OSCOMPOSE_E2E_REBUILD) process.exit(0);
const next = path.resolve(webDir, '../../node_modules/next/dist/bin/next');
const res = spawnSync(process.execPath, [next, 'build'], { cwd: webDir, stdio: 'inherit' });
process.exit(res.status ?? 1);
