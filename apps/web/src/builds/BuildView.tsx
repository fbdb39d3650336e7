// /builds/[id]: one build — live stages and log (SSE), boot check, artifacts with sha256 and
// download, the boot verdict with each expectation and the console, the exact resolved YAML, the
// packages in it (SBOM), rebuild, cancel, compare.
'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { BuildDetail } from '../api-client/types';
import { fetchJson } from '../api-client/fetchJson';
import { Badge, statusTone } from '../ui/Badge';
import { Button } from '../ui/Button';
import { Card } from '../ui/Card';
import { CopyButton } from '../ui/CopyButton';
import { cx } from '../ui/classNames';
import { ErrorState, Loading } from '../ui/States';
import { formatBytes, formatDuration, formatWhen } from '../ui/format';
import { BootCheckView, VerdictBadge } from './BootCheckView';
import { SizeBreakdown } from './SizeBreakdown';
import { BootTimelineCard } from './BootTimeline';
import { BuildPackages } from './BuildPackages';
import { NetbootLinks } from './NetbootLinks';
import { applyEvent, initialProgress, isFinalStatus, stageSkeleton, type BuildProgress } from './buildProgress';

const EVENT_TYPES = ['status', 'stage', 'progress', 'log', 'artifact', 'bootcheck'];

/** `publicUrl`: OSCOMPOSE_PUBLIC_URL when set (the CLI hint names it); else the address in the address bar. */
export function BuildView({ id, publicUrl }: { id: string; publicUrl?: string }) {
  const router = useRouter();
  const [build, setBuild] = useState<BuildDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState<BuildProgress>(initialProgress);
  const [tab, setTab] = useState<'resolved' | 'spec'>('resolved');
  const [actionError, setActionError] = useState<string | null>(null);
  const logRef = useRef<HTMLPreElement | null>(null);

  const load = useCallback(() => fetchJson<BuildDetail>(`/api/v1/builds/${id}`).then(setBuild, (e: Error) => setError(e.message)), [id]);
  useEffect(() => {
    void load();
  }, [load]);

  // The event stream replays what happened so far, then follows live until the final status.
  useEffect(() => {
    setProgress(initialProgress());
    const es = new EventSource(`/api/v1/builds/${id}/events`);
    const onEvent = (type: string) => (msg: MessageEvent<string>) => {
      let data: Record<string, unknown> = {};
      try {
        data = JSON.parse(msg.data) as Record<string, unknown>;
      } catch {
        data = { message: msg.data };
      }
      setProgress((p) => applyEvent(p, { type, data }));
      if (type === 'status' && isFinalStatus(data.status as string)) {
        es.close();
        void load();
      }
      if (type === 'artifact' || type === 'bootcheck') void load();
    };
    for (const t of EVENT_TYPES) es.addEventListener(t, onEvent(t) as EventListener);
    return () => es.close();
  }, [id, load]);

  useEffect(() => {
    const el = logRef.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [progress.log.length]);

  if (error) return <main className="mx-auto max-w-5xl p-6"><ErrorState message={error} /></main>;
  if (!build) return <main className="mx-auto max-w-5xl p-6"><Loading label="Loading build…" /></main>;

  const status = isFinalStatus(build.status) ? build.status : progress.status ?? build.status;
  const running = !isFinalStatus(status);
  const rebuild = async (fresh: boolean) => {
    try {
      const r = await fetchJson<{ id: string }>(`/api/v1/builds/${id}/rebuild`, { body: { fresh } });
      router.push(`/builds/${r.id}`);
    } catch (e) {
      setActionError((e as Error).message);
    }
  };
  const cancel = async () => {
    try {
      await fetchJson(`/api/v1/builds/${id}/cancel`, { body: {} });
    } catch (e) {
      setActionError((e as Error).message);
    }
  };
  const boot = build.bootCheck;

  return (
    <main className="mx-auto w-full max-w-6xl space-y-4 p-6">
      <nav className="text-sm text-muted-foreground"><Link href="/builds" className="hover:underline">Builds</Link> / {build.id}</nav>
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="flex items-center gap-2 text-xl font-semibold">
            {build.name}
            <Badge tone={statusTone(status)} className="text-xs" >{status}</Badge>
            {build.cached ? <Badge>cached</Badge> : null}
          </h1>
          <p className="mt-1 text-sm text-muted-foreground">
            {build.requester?.name ?? 'someone'} · {formatWhen(build.createdAt)} · {formatDuration(build.durationMs)} · {build.formats.join(', ')}
            {build.cachedFromId ? <> · reused <Link className="underline" href={`/builds/${build.cachedFromId}`}>an earlier build</Link></> : null}
          </p>
        </div>
        <div className="flex gap-2">
          {running ? <Button variant="destructive" onClick={() => void cancel()}>Cancel</Button> : null}
          <Button onClick={() => void rebuild(false)}>Rebuild</Button>
          <Button variant="outline" onClick={() => void rebuild(true)} title="Ignore the build cache">Rebuild fresh</Button>
          <CompareWith id={id} />
        </div>
      </div>
      {actionError ? <ErrorState message={actionError} /> : null}
      {build.error || progress.error ? <ErrorState message={build.error ?? progress.error ?? ''} /> : null}

      <Card title="Progress">
        <ol className="flex flex-wrap gap-2" data-testid="stages">
          {/* The skeleton (stages still to come) only while the build runs: a finished build shows what it did. */}
          {(running ? stageSkeleton(progress.stages) : progress.stages).map((s) => (
            <li key={s.name} className={cx('flex items-center gap-2 rounded-md border px-2.5 py-1.5 text-xs', s.state === 'active' && running && 'border-primary', s.state === 'failed' && 'border-destructive')}>
              <span aria-hidden className={cx('h-2 w-2 rounded-full', s.state === 'done' ? 'bg-success' : s.state === 'failed' ? 'bg-destructive' : s.state === 'active' ? (running ? 'animate-pulse bg-primary' : 'bg-success') : 'bg-border')} />
              <span className="font-medium">{s.name}</span>
              {s.total ? <span className="tabular-nums text-muted-foreground">{s.done ?? 0}/{s.total}</span> : null}
            </li>
          ))}
        </ol>
        <pre ref={logRef} aria-label="Build log" className="mt-3 h-56 overflow-auto rounded-md bg-muted p-2 font-mono text-[11px] leading-4" data-testid="build-log">
          {progress.log.length === 0 ? <span className="text-muted-foreground">{running ? 'Waiting for a worker…' : 'No log recorded.'}</span> : null}
          {progress.log.slice(-2000).map((l, i) => (
            <div key={i} className={cx(l.level === 'error' && 'text-destructive', l.level === 'warn' && 'text-warning')}>
              {l.stage ? <span className="text-muted-foreground">[{l.stage}] </span> : null}
              {l.message}
            </div>
          ))}
        </pre>
      </Card>

      <Card title={<span className="flex items-center gap-2">Boot check {boot ? <VerdictBadge verdict={boot.verdict} /> : null}</span>}>
        {boot ? <BootCheckView boot={boot} /> : <p className="text-sm text-muted-foreground">{running ? 'Runs after the build, in QEMU.' : 'No boot check for this build.'}</p>}
      </Card>

      <Card title="Artifacts">
        {build.artifacts.length === 0 ? (
          <p className="text-sm text-muted-foreground">{running ? 'Artifacts appear here as the build writes them.' : 'This build published no artifacts.'}</p>
        ) : (
          <table className="w-full text-left text-sm" data-testid="artifacts">
            <thead className="text-xs text-muted-foreground"><tr><th className="py-1">File</th><th>Format</th><th>Size</th><th>sha256</th><th>Boot</th><th /></tr></thead>
            <tbody>
              {build.artifacts.map((a) => (
                <tr key={a.id} className="border-t">
                  <td className="py-2 font-mono text-xs">{a.name}</td>
                  <td className="text-xs">{a.format}</td>
                  <td className="tabular-nums text-xs">{formatBytes(a.size)}</td>
                  <td className="font-mono text-xs"><span title={a.sha256} data-sha256={a.sha256}>{a.sha256.slice(0, 16)}…</span> <CopyButton value={a.sha256} /></td>
                  <td title={a.bootCheck?.message}>
                    {/* Published for debugging even when its boot failed. */}
                    {a.didNotBoot ? <Badge tone="danger">did not boot</Badge> : a.bootCheck ? <VerdictBadge verdict={a.bootCheck.verdict} /> : <span className="text-xs text-muted-foreground">—</span>}
                  </td>
                  <td className="text-right"><a className="text-sm text-primary underline" href={a.downloadUrl} download>Download</a></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {build.provenance ? <ProvenanceLine p={build.provenance} server={publicUrl} /> : null}
        {build.artifacts.some((a) => a.format === 'kernel+initrd') ? <NetbootLinks build={build} onChange={() => void load()} /> : null}
      </Card>

      {boot ? <BootTimelineCard boot={boot} /> : null}

      {build.contents ? <SizeBreakdown url={build.contents.url} /> : null}

      <Card
        title="Spec"
        actions={
          <div role="tablist" className="flex gap-1 text-xs">
            <button role="tab" aria-selected={tab === 'resolved'} className={cx('rounded px-2 py-0.5', tab === 'resolved' && 'bg-muted font-medium')} onClick={() => setTab('resolved')}>Resolved (what was built)</button>
            <button role="tab" aria-selected={tab === 'spec'} className={cx('rounded px-2 py-0.5', tab === 'spec' && 'bg-muted font-medium')} onClick={() => setTab('spec')}>As submitted</button>
          </div>
        }
      >
        <pre className="max-h-96 overflow-auto rounded-md bg-muted p-3 font-mono text-xs">{tab === 'resolved' ? build.resolvedSpec ?? 'Not resolved yet.' : build.specText}</pre>
      </Card>

      <BuildPackages sbom={build.sbom} running={running} />
    </main>
  );
}

/** "Signed by …": the bundle next to the artifacts, which server key verifies it, how to check a download. */
function ProvenanceLine({ p, server }: { p: NonNullable<BuildDetail['provenance']>; server?: string }) {
  const command = `oscompose verify FILE --server ${server ?? (typeof window === 'undefined' ? '' : window.location.origin)}`;
  return (
    <div className="mt-3 flex flex-wrap items-center gap-2 border-t pt-3 text-sm" data-testid="provenance">
      {p.keyId ? (
        <>
          <Badge tone="success">signed</Badge>
          <span>
            Signed by this server&apos;s {p.key === 'current' ? 'current' : 'retired'} key <span className="font-mono text-xs" title={p.keyId}>{p.keyId.slice(0, 16)}…</span>
          </span>
        </>
      ) : (
        <>
          <Badge tone="danger">unverified</Badge>
          <span>The provenance does not verify with any of this server&apos;s keys.</span>
        </>
      )}
      <a className="text-primary underline" href={p.downloadUrl} download>
        {p.name}
      </a>
      <span className="text-xs text-muted-foreground">
        check a download: <code className="font-mono" data-testid="verify-hint">{command}</code>
      </span>
      <CopyButton value={command} />
    </div>
  );
}

function CompareWith({ id }: { id: string }) {
  const [other, setOther] = useState('');
  const [options, setOptions] = useState<{ id: string; name: string; createdAt: string }[]>([]);
  useEffect(() => {
    fetchJson<{ items: { id: string; name: string; createdAt: string }[] }>('/api/v1/builds?pageSize=30').then((r) => setOptions(r.items.filter((b) => b.id !== id)), () => setOptions([]));
  }, [id]);
  return (
    <form action={`/builds/compare`} className="flex items-center gap-1">
      <input type="hidden" name="a" value={id} />
      <select name="b" aria-label="Compare with build" className="h-9 max-w-44 rounded-md border bg-card px-2 text-sm" value={other} onChange={(e) => setOther(e.target.value)}>
        <option value="">Compare with…</option>
        {options.map((o) => <option key={o.id} value={o.id}>{o.name} · {formatWhen(o.createdAt)}</option>)}
      </select>
      <Button type="submit" variant="outline" disabled={!other}>Compare</Button>
    </form>
  );
}
