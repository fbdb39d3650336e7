// Structured logs for the web app's server side (pino, JSON lines on stdout).
import { pino, type Logger } from 'pino';
import { webConfig } from './config';

const holder = globalThis as unknown as { __oscomposeWebLogger?: Logger };

export function logger(): Logger {
  holder.__oscomposeWebLogger ??= pino({
    name: 'web',
    level: webConfig().logLevel,
    timestamp: pino.stdTimeFunctions.isoTime,
  });
  return holder.__oscomposeWebLogger;
}
