'use client';
// /testdrive/[id]: the VM's serial console in xterm.js (full colour, fits its box, copy by
// selecting, paste with the browser's paste), fed by the console SSE; keystrokes go to the input
// API in order. Time left, Extend and Stop. Viewers watch read-only.
import '@xterm/xterm/css/xterm.css';
import Link from 'next/link';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, fetchJson } from '../api-client/fetchJson';
import { Badge } from '../ui/Badge';
import { Button } from '../ui/Button';
import { Card } from '../ui/Card';
import { ErrorState, Loading } from '../ui/States';

interface TestdriveDto {
  id: string;
  buildId: string;
  artifact: string;
  status: 'queued' | 'running' | 'stopped' | 'failed';
  ports: number[];
  consoleUrl: string;
  secondsLeft: number | null;
  expiresAt: string | null;
  endReason: string | null;
  error: string | null;
  transcriptUrl: string | null;
  canType?: boolean;
}

const END_TEXT: Record<string, string> = {
  user: 'stopped',
  'time-limit': 'its time was up',
  'no-viewer': 'nobody watched it for a minute',
  'worker-shutdown': 'its worker shut down',
  'guest-exited': 'the guest powered off',
  error: 'it could not run',
};

function formatLeft(s: number): string {
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function TestdriveView({ id }: { id: string }) {
  const [t, setT] = useState<TestdriveDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ended, setEnded] = useState<string | null>(null);
  const [left, setLeft] = useState<number | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const canType = useRef(false);

  const load = useCallback(async () => {
    try {
      const d = await fetchJson<TestdriveDto>(`/api/v1/testdrives/${id}`);
      setT(d);
      canType.current = d.canType !== false && d.status === 'running';
      if (d.expiresAt && d.status === 'running') setLeft(Math.max(0, Math.round((Date.parse(d.expiresAt) - Date.now()) / 1000)));
      if (d.status === 'stopped' || d.status === 'failed') setEnded(d.endReason ?? d.status);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  }, [id]);

  useEffect(() => {
    void load();
    const poll = setInterval(() => void load(), 5000);
    const tick = setInterval(() => setLeft((l) => (l === null ? l : Math.max(0, l - 1))), 1000);
    return () => {
      clearInterval(poll);
      clearInterval(tick);
    };
  }, [load]);

  // The terminal and the console stream live as long as the page.
  useEffect(() => {
    if (!box.current) return;
    let disposed = false;
    let cleanup = () => {};
    void (async () => {
      const [{ Terminal }, { FitAddon }] = await Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit')]);
      if (disposed || !box.current) return;
      const term = new Terminal({ convertEol: false, cursorBlink: true, fontSize: 13, scrollback: 5000, allowProposedApi: false, theme: { background: '#0b0f14' } });
      const fit = new FitAddon();
      term.loadAddon(fit);
      term.open(box.current);
      fit.fit();
      (window as unknown as { __testdriveTerminal?: unknown }).__testdriveTerminal = term;
      const resize = new ResizeObserver(() => fit.fit());
      resize.observe(box.current);
      // Keystrokes in order: one request at a time, what was typed meanwhile goes in the next.
      let queued = '';
      let sending = false;
      const flush = async () => {
        if (sending) return;
        sending = true;
        while (queued) {
          const data = queued;
          queued = '';
          await fetch(`/api/v1/testdrives/${id}/input`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data }) }).catch(() => {});
        }
        sending = false;
      };
      const typing = term.onData((d) => {
        if (!canType.current) return;
        queued += d;
        void flush();
      });
      const es = new EventSource(`/api/v1/testdrives/${id}/console`);
      es.addEventListener('output', (e) => term.write(JSON.parse((e as MessageEvent).data) as string));
      es.addEventListener('end', (e) => {
        const reason = (JSON.parse((e as MessageEvent).data) as { reason: string }).reason;
        setEnded(reason);
        canType.current = false;
        es.close();
        void load();
      });
      term.focus();
      cleanup = () => {
        es.close();
        typing.dispose();
        resize.disconnect();
        term.dispose();
      };
    })();
    return () => {
      disposed = true;
      cleanup();
    };
  }, [id, load]);

  const stop = async () => {
    await fetchJson(`/api/v1/testdrives/${id}`, { method: 'DELETE' }).catch((err) => setError(String(err)));
    void load();
  };
  const extend = async () => {
    await fetchJson(`/api/v1/testdrives/${id}/extend`, { body: {} }).catch((err) => setError(err instanceof ApiError ? err.message : String(err)));
    void load();
  };

  // The terminal's box is rendered from the first paint (the effect above opens xterm.js in it).
  const terminal = (
    <Card>
      <div ref={box} className="h-[28rem] w-full overflow-hidden rounded bg-[#0b0f14] p-1" data-testid="terminal" />
    </Card>
  );
  if (!t) {
    return (
      <main className="mx-auto w-full max-w-6xl space-y-4 p-6">
        {error ? <ErrorState message={error} /> : <Loading />}
        {terminal}
      </main>
    );
  }
  const running = t.status === 'running' && !ended;
  return (
    <main className="mx-auto w-full max-w-6xl space-y-4 p-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold">Testdrive <span className="font-mono text-base">{t.artifact}</span></h1>
          <p className="text-sm text-muted-foreground">
            of <Link className="text-primary underline" href={`/builds/${t.buildId}`}>build {t.buildId.slice(0, 10)}</Link> · serial console · the guest has no network out
            {t.canType === false ? ' · you are watching read-only' : ''}
          </p>
        </div>
        <div className="flex items-center gap-2">
          <Badge tone={running ? 'success' : t.status === 'failed' ? 'danger' : t.status === 'queued' ? 'warning' : 'neutral'}>{ended ? 'ended' : t.status === 'queued' ? 'starting' : t.status}</Badge>
          {running && left !== null ? <span className="tabular-nums text-sm" data-testid="time-left" title="Time left before the VM is stopped">{formatLeft(left)} left</span> : null}
          {running && t.canType !== false ? <Button size="sm" variant="outline" onClick={() => void extend()}>Extend</Button> : null}
          {(running || t.status === 'queued') && t.canType !== false ? <Button size="sm" variant="destructive" onClick={() => void stop()}>Stop</Button> : null}
        </div>
      </div>
      {ended ? (
        <p role="status" className="text-sm" data-testid="testdrive-ended">
          The VM is gone: {END_TEXT[ended] ?? ended}.{t.error ? ` ${t.error}` : ''}{' '}
          {t.transcriptUrl ? <a className="text-primary underline" href={t.transcriptUrl} download>Download the console transcript</a> : null}
        </p>
      ) : t.status === 'queued' ? (
        <p className="text-sm text-muted-foreground">Waiting for a worker to boot it…</p>
      ) : null}
      {error ? <p role="alert" className="text-sm text-destructive">{error}</p> : null}
      {terminal}
    </main>
  );
}
