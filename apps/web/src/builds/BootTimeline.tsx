// The build page's boot timeline: for each booted artifact, where its boot's time went (firmware,
// kernel, init, each onboot container in order, services until boot complete), from the boot
// check's timed console lines, as one horizontal bar and a list.
'use client';
import type { BootTimeline as Timeline, TimelinePhase } from '@oscompose/bootcheck';
import type { BuildBootCheck } from '../api-client/types';
import { Card } from '../ui/Card';

const PHASE_HUE: Record<TimelinePhase, number> = { firmware: 220, kernel: 265, init: 30, onboot: 150, services: 195 };
const fill = (phase: TimelinePhase, i: number) => `hsl(${PHASE_HUE[phase] + (phase === 'onboot' ? (i % 4) * 14 : 0)} var(--treemap-s) var(--treemap-l))`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

export function BootTimelineCard({ boot }: { boot: BuildBootCheck }) {
  const booted = boot.artifacts.filter((a): a is typeof a & { timeline: Timeline } => Boolean(a.timeline?.spans.length));
  if (!booted.length) return null;
  return (
    <Card title="Boot timeline">
      <div className="space-y-5" data-testid="boot-timeline">
        {booted.map((a) => (
          <TimelineRow key={a.format} name={booted.length > 1 ? a.artifact : null} t={a.timeline} />
        ))}
        <p className="text-xs text-muted-foreground">Times are when each console line reached the boot check (seconds since QEMU started, under software emulation here).</p>
      </div>
    </Card>
  );
}

function TimelineRow({ name, t }: { name: string | null; t: Timeline }) {
  const end = Math.max(t.completeMs ?? 0, ...t.spans.map((s) => s.endMs), 1);
  return (
    <section aria-label={`Boot timeline${name ? ` of ${name}` : ''}`}>
      {name ? <h3 className="mb-1 font-mono text-xs">{name}</h3> : null}
      <div className="relative h-9 w-full overflow-hidden rounded-md border bg-muted" role="list">
        {t.spans.map((s, i) => {
          const width = (100 * (s.endMs - s.startMs)) / end;
          return (
            <div
              key={i}
              role="listitem"
              tabIndex={0}
              aria-label={`${s.label}: ${seconds(s.endMs - s.startMs)}, ended at ${seconds(s.endMs)}`}
              title={`${s.label}: ${seconds(s.startMs)} → ${seconds(s.endMs)} (${seconds(s.endMs - s.startMs)})`}
              className="absolute top-0 flex h-full items-center overflow-hidden border-r border-[var(--card)] px-1 text-[11px] focus-visible:z-10"
              style={{ left: `${(100 * s.startMs) / end}%`, width: `${width}%`, background: fill(s.phase, i), color: 'var(--treemap-text)' }}
            >
              {width > 6 ? <span className="truncate">{s.label}</span> : null}
            </div>
          );
        })}
        {t.completeMs !== null ? <div aria-hidden className="absolute top-0 h-full w-0.5 bg-success" style={{ left: `calc(${(100 * t.completeMs) / end}% - 1px)` }} title={`boot complete at ${seconds(t.completeMs)}`} /> : null}
      </div>
      <div aria-hidden className="mt-0.5 flex justify-between text-[10px] tabular-nums text-muted-foreground"><span>0 s</span><span>{seconds(end / 2)}</span><span>{seconds(end)}</span></div>
      <ol className="mt-2 grid max-w-md gap-y-0.5 text-xs" data-testid="boot-timeline-spans">
        {t.spans.map((s, i) => (
          <li key={i} className="flex items-center gap-2" data-phase={s.phase}>
            <span aria-hidden className="inline-block h-2.5 w-2.5 rounded-sm" style={{ background: fill(s.phase, i) }} />
            <span className="font-mono">{s.phase === 'onboot' ? `onboot ${s.label}` : s.label}</span>
            <span className="ml-auto tabular-nums text-muted-foreground">{seconds(s.endMs - s.startMs)}</span>
          </li>
        ))}
        {t.completeMs !== null ? (
          <li className="flex items-center gap-2 font-medium">
            <span aria-hidden className="inline-block h-2.5 w-0.5 bg-success" />
            boot complete{t.services.length ? ` (${t.services.map((s) => s.name).join(', ')} started)` : ''}
            <span className="ml-auto tabular-nums">{seconds(t.completeMs)}</span>
          </li>
        ) : null}
      </ol>
    </section>
  );
}
