// .env.example is the list of settings: every variable the apps' config modules read must be in
// it, and the file as a whole must parse in both (copying it to .env must work).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWebConfig, WebEnv } from '@oscompose/web/testing';
import { loadWorkerConfig, WorkerEnv } from '@oscompose/worker/testing';

const text = readFileSync(path.resolve(import.meta.dirname, '../.env.example'), 'utf8');
const example: Record<string, string> = {};
for (const line of text.split('\n')) {
  const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
  if (m) example[m[1]!] = m[2]!;
}

describe('.env.example', () => {
  it('lists every setting of the web app and the worker, each with a comment', () => {
    const keys = [...Object.keys(WebEnv.shape), ...Object.keys(WorkerEnv.shape)].filter((k) => k !== 'NODE_ENV');
    const missing = keys.filter((k) => !(k in example));
    expect(missing, 'add these to .env.example with their default and a one-line comment').toEqual([]);
    for (const key of Object.keys(example)) {
      const before = text.slice(0, text.indexOf(`\n${key}=`)).split('\n').at(-1) ?? '';
      expect(before.startsWith('#') || /^[A-Z]/.test(before), `${key} needs a comment line above it`).toBe(true);
    }
  });

  it('parses as it is in both apps', () => {
    expect(loadWorkerConfig(example, '/repo').dataDir).toBe('/repo/data');
    expect(loadWebConfig(example, '/repo').port).toBe(3000);
  });
});
