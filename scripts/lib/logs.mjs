// Renders one line of a child's output for the terminal: pino JSON lines become
// "HH:MM:SS LEVEL message key=value …"; anything else passes through unchanged.
const LEVELS = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLORS = { 10: '2', 20: '2', 30: '32', 40: '33', 50: '31', 60: '31' };
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'v', 'workerId']);

export function formatLogLine(line, color = false) {
  if (!line.startsWith('{') || !line.endsWith('}')) return line;
  let rec;
  try {
    rec = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof rec !== 'object' || rec === null || typeof rec.level !== 'number' || !('msg' in rec || 'err' in rec)) return line;
  const time = typeof rec.time === 'string' ? rec.time.slice(11, 19) : new Date(rec.time ?? Date.now()).toISOString().slice(11, 19);
  const level = (LEVELS[rec.level] ?? String(rec.level)).padEnd(5);
  const paintedLevel = color ? `\x1b[${LEVEL_COLORS[rec.level] ?? '0'}m${level}\x1b[0m` : level;
  const extras = Object.entries(rec)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v)}`);
  const msg = rec.msg ?? '';
  return [time, paintedLevel, msg, ...extras].filter((s) => s !== '').join(' ');
}
