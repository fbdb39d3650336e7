// One booted artifact's whole serial console (NAME.console.txt, fetched when opened): numbered
// lines, a search box (text or /regex/) that highlights or filters, a jump to a given line, and
// the download link.
'use client';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Input } from '../ui/Input';
import { cx } from '../ui/classNames';
import { consoleLines, consoleQuery, highlight } from './bootReport';

interface Props {
  url: string;
  name: string;
  /** Lines to mark (those that met an expectation or decided the verdict). */
  marked?: Set<number>;
  /** Scroll to this 1-based line (with a changing `nonce` to jump again). */
  focus?: { line: number; nonce: number } | null;
}

// Enough for any boot console; a runaway one is cut so the page stays usable.
const MAX_RENDERED = 20_000;

export function ConsoleView({ url, name, marked, focus }: Props) {
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [q, setQ] = useState('');
  const [onlyMatches, setOnlyMatches] = useState(false);
  const box = useRef<HTMLDivElement | null>(null);

  useEffect(() => {
    const ctl = new AbortController();
    fetch(url, { signal: ctl.signal, credentials: 'same-origin' })
      .then(async (r) => {
        if (!r.ok) throw new Error(r.status === 410 ? 'The console file was removed by retention.' : `Could not load the console (HTTP ${r.status}).`);
        setText(await r.text());
      })
      .catch((e: Error) => {
        if (e.name !== 'AbortError') setError(e.message);
      });
    return () => ctl.abort();
  }, [url]);

  const lines = useMemo(() => (text === null ? [] : consoleLines(text)), [text]);
  const query = useMemo(() => consoleQuery(q), [q]);
  const matcher = query?.ok ? query : null;
  const matching = useMemo(() => (matcher ? lines.reduce<number[]>((acc, l, i) => (matcher.test(l) ? (acc.push(i + 1), acc) : acc), []) : []), [lines, matcher]);
  const shown = matcher && onlyMatches ? matching : lines.map((_, i) => i + 1);

  // A new search shows its first match (the console may be hundreds of lines long).
  const first = matching[0];
  useEffect(() => {
    if (first === undefined || !box.current) return;
    const el = box.current.querySelector<HTMLElement>(`[data-line="${first}"]`);
    if (el) box.current.scrollTop = el.offsetTop - box.current.clientHeight / 3;
  }, [first, q]);

  useEffect(() => {
    if (!focus || !box.current || text === null) return;
    const el = box.current.querySelector<HTMLElement>(`[data-line="${focus.line}"]`);
    if (!el) return;
    box.current.scrollTop = el.offsetTop - box.current.clientHeight / 3;
    el.classList.add('console-flash');
    const t = setTimeout(() => el.classList.remove('console-flash'), 1500);
    return () => clearTimeout(t);
  }, [focus, text, onlyMatches]);

  return (
    <div className="space-y-2" data-testid="console">
      <div className="flex flex-wrap items-center gap-2">
        <Input data-search type="search" aria-label={`Search the console of ${name}`} className="w-72 font-mono text-xs" placeholder="Search the console (text or /regex/)" value={q} onChange={(e) => setQ(e.target.value)} />
        <label className="flex items-center gap-1.5 text-xs">
          <input type="checkbox" checked={onlyMatches} onChange={(e) => setOnlyMatches(e.target.checked)} disabled={!matcher} />
          Only matching lines
        </label>
        <span className="text-xs text-muted-foreground" data-testid="console-matches" aria-live="polite">
          {query && !query.ok ? <span className="text-destructive">{query.error}</span> : text === null ? '' : matcher ? `${matching.length} matching line${matching.length === 1 ? '' : 's'}` : `${lines.length} lines`}
        </span>
        <a className="ml-auto text-sm text-primary underline" href={url} download={name}>Download {name}</a>
      </div>
      <div ref={box} className="relative max-h-96 overflow-auto rounded-md bg-muted py-2 font-mono text-[11px] leading-4" aria-label={`Console of ${name}`} role="log">
        {error ? <p className="px-2 text-destructive">{error}</p> : null}
        {text === null && !error ? <p className="px-2 text-muted-foreground">Loading the console…</p> : null}
        {text !== null && lines.length === 0 ? <p className="px-2 text-muted-foreground">The console stayed empty.</p> : null}
        {text !== null && matcher && onlyMatches && matching.length === 0 ? <p className="px-2 text-muted-foreground">No line matches.</p> : null}
        {shown.slice(0, MAX_RENDERED).map((n) => {
          const line = lines[n - 1]!;
          return (
            <div key={n} data-line={n} className={cx('flex whitespace-pre-wrap break-all pr-2', marked?.has(n) && 'bg-primary/10')}>
              <span className="w-12 shrink-0 select-none pr-2 text-right text-muted-foreground">{n}</span>
              <span className="min-w-0">
                {matcher ? highlight(line, matcher.ranges(line)).map((p, i) => (p.match ? <mark key={i} className="rounded-sm bg-warning/30 text-foreground">{p.text}</mark> : <span key={i}>{p.text}</span>)) : line}
              </span>
            </div>
          );
        })}
        {shown.length > MAX_RENDERED ? <p className="px-2 text-muted-foreground">… {shown.length - MAX_RENDERED} more lines: download the file to see them all.</p> : null}
      </div>
    </div>
  );
}
