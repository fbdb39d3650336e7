#!/usr/bin/env node
// The oscompose command: registers tsx so the engine's TypeScript source runs as is (no build
// step), then hands over to src/cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
