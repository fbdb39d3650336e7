// A bar under the nav while /api/health has warnings (a worker `npm start` keeps restarting):
// the user learns why builds stall before opening a log. Polls every 10 s; nothing when all is well.
'use client';
import { useEffect, useState } from 'react';

const POLL_MS = 10_000;

export function HealthBanner() {
  const [warnings, setWarnings] = useState<string[]>([]);
  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      try {
        const res = await fetch('/api/health', { cache: 'no-store' });
        const body = (await res.json()) as { warnings?: unknown };
        if (!stopped) setWarnings(Array.isArray(body.warnings) ? body.warnings.filter((w): w is string => typeof w === 'string') : []);
      } catch {
        // the app itself is unreachable: the page says so on its own
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);
  if (!warnings.length) return null;
  return (
    <div role="alert" data-testid="health-banner" className="border-b border-warning/40 bg-warning/12 px-4 py-2 text-sm text-warning">
      {warnings.map((w) => (
        <p key={w}>{w}</p>
      ))}
    </div>
  );
}
