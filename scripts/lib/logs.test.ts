import { describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs helper without types
import { formatLogLine } from './logs.mjs';

describe('formatLogLine', () => {
  it('renders pino JSON as time, level, message and fields', () => {
    const line = JSON.stringify({ level: 30, time: '2026-11-25T21:44:39.362Z', workerId: 'w', name: 'worker', concurrency: 1, queues: ['builds'], msg: 'worker ready' });
    expect(formatLogLine(line)).toBe('21:44:39 INFO  worker ready concurrency=1 queues=["builds"]');
  });

  it('passes other lines through', () => {
    expect(formatLogLine('▲ Next.js 16.4.6')).toBe('▲ Next.js 16.4.6');
    expect(formatLogLine('{"not":"pino"}')).toBe('{"not":"pino"}');
    expect(formatLogLine('{broken')).toBe('{broken');
  });
});
