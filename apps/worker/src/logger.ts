// Structured logs (pino, JSON lines on stdout). `npm start` renders them readably; in production
// they go to the log collector as they are.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(opts: { level: string; workerId: string }): Logger {
  return pino({
    name: 'worker',
    level: opts.level,
    base: { workerId: opts.workerId },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
