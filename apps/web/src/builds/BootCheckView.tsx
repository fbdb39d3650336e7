// The build page's boot check: the build's verdict and the sentence that decided it, then per
// booted artifact what was expected (met: the console line and when; unmet: why), our init's
// container table, and the whole console with search.
'use client';
import { useState } from 'react';
import type { ArtifactBootCheck, BuildBootCheck, ExpectationResult, Verdict } from '../api-client/types';
import { Badge } from '../ui/Badge';
import { cx } from '../ui/classNames';
import { formatDuration } from '../ui/format';
import { describeRequested } from '../composer/bootCheckForm';
import { verdictTone, whenMet } from './bootReport';
import { ConsoleView } from './ConsoleView';

export function VerdictBadge({ verdict, className }: { verdict: Verdict; className?: string }) {
  return (
    <Badge tone={verdictTone(verdict)} className={className}>
      <span data-verdict={verdict}>{verdict === 'verified' ? '✓ verified' : verdict === 'failed' ? '✗ failed' : verdict}</span>
    </Badge>
  );
}

const CALLOUT: Record<Verdict, string> = {
  verified: 'border-success/40 bg-success/8',
  booted: 'border-primary/40 bg-primary/8',
  failed: 'border-destructive/40 bg-destructive/8',
  'not checked': 'border-border bg-muted',
};

/** The null case (no report yet, or none for this build) is the caller's. */
export function BootCheckView({ boot }: { boot: BuildBootCheck }) {
  const several = boot.artifacts.filter((a) => a.verdict !== 'not checked').length > 1;
  return (
    <div className="space-y-4" data-testid="boot-check">
      <div className={cx('rounded-md border px-3 py-2', CALLOUT[boot.verdict])}>
        <p className="flex flex-wrap items-baseline gap-2 text-sm">
          <VerdictBadge verdict={boot.verdict} className="text-xs" />
          <span data-testid="boot-message" className="min-w-0 break-words">{boot.message}</span>
        </p>
        <p className="mt-1 text-xs text-muted-foreground" data-testid="boot-requested">
          {boot.verdict === 'not checked' ? 'Nothing was booted, so nothing was judged.' : describeRequested(boot.requested, { ourInit: boot.expectations.some((e) => e.kind === 'containers') })}
        </p>
      </div>
      {boot.artifacts.map((a) => (
        <ArtifactBoot key={`${a.format}-${a.artifact}`} a={a} titled={several || boot.artifacts.length > 1} repeatsBuild={a.message === boot.message} />
      ))}
    </div>
  );
}

function ArtifactBoot({ a, titled, repeatsBuild }: { a: ArtifactBootCheck; titled: boolean; repeatsBuild: boolean }) {
  const [focus, setFocus] = useState<{ line: number; nonce: number } | null>(null);
  const [consoleOpen, setConsoleOpen] = useState(a.verdict === 'failed');
  const marked = new Set(a.expectations.flatMap((e) => (e.line ? [e.line.n] : [])));
  const jump = (line: number) => {
    setConsoleOpen(true);
    setFocus((f) => ({ line, nonce: (f?.nonce ?? 0) + 1 }));
  };
  return (
    <section className="space-y-3" aria-label={`Boot check of ${a.artifact}`} data-boot-artifact={a.artifact}>
      {titled ? (
        <h3 className="flex flex-wrap items-center gap-2 border-t pt-3 text-sm font-medium">
          <span>{a.format}</span>
          <span className="font-mono text-xs text-muted-foreground">{a.artifact}</span>
          <VerdictBadge verdict={a.verdict} />
          {a.didNotBoot ? <Badge tone="danger">did not boot</Badge> : null}
          {a.durationMs !== null ? <span className="text-xs font-normal text-muted-foreground">{formatDuration(a.durationMs)}</span> : null}
        </h3>
      ) : null}
      {titled && !repeatsBuild ? <p className="text-sm">{a.message}</p> : null}
      {a.expectations.length ? (
        <ul className="divide-y rounded-md border" data-testid="expectations">
          {a.expectations.map((e, i) => (
            <Expectation key={i} e={e} onJump={a.console ? jump : undefined} />
          ))}
        </ul>
      ) : null}
      {a.containers.length ? (
        <table className="w-full text-left text-sm" data-testid="containers">
          <thead className="text-xs text-muted-foreground">
            <tr><th className="py-1">Phase</th><th>Container</th><th>Status</th><th>Exit code</th><th>Message</th></tr>
          </thead>
          <tbody>
            {a.containers.map((c) => (
              <tr key={`${c.phase}-${c.name}`} className="border-t">
                <td className="py-1.5 text-xs">{c.phase}</td>
                <td className="font-mono text-xs">{c.name}</td>
                <td>
                  <Badge tone={c.status === 'error' || (c.status === 'exited' && c.exitCode !== 0 && !c.stoppedAtShutdown) ? 'danger' : c.status === 'stopped' || c.stoppedAtShutdown ? 'neutral' : 'success'}>{c.status}</Badge>
                </td>
                <td className="tabular-nums text-xs">{c.exitCode ?? '—'}</td>
                <td className="text-xs text-muted-foreground">{c.message ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {a.console && a.consoleName ? (
        <details open={consoleOpen} onToggle={(e) => setConsoleOpen((e.target as HTMLDetailsElement).open)}>
          <summary className="cursor-pointer text-sm font-medium">Console of {a.artifact}</summary>
          <div className="mt-2">{consoleOpen ? <ConsoleView url={a.console} name={a.consoleName} marked={marked} focus={focus} /> : null}</div>
        </details>
      ) : a.verdict !== 'not checked' ? (
        <p className="text-xs text-muted-foreground">No console was kept for this boot.</p>
      ) : null}
    </section>
  );
}

function Expectation({ e, onJump }: { e: ExpectationResult; onJump?: (line: number) => void }) {
  const when = whenMet(e);
  return (
    <li className="flex items-start gap-2 px-3 py-2 text-sm" data-expectation={e.expectation} data-met={e.met}>
      <span aria-hidden className={cx('mt-0.5 w-4 shrink-0 text-center font-bold', e.met ? 'text-success' : 'text-destructive')}>{e.met ? '✓' : '✗'}</span>
      <div className="min-w-0 flex-1 space-y-0.5">
        <p>
          <span className={cx(e.kind === 'console' && 'font-mono text-xs')}>{e.expectation}</span>
          <span className="sr-only">{e.met ? ' met' : ' not met'}</span>
          <span className={cx('ml-2 text-xs', e.met ? 'text-muted-foreground' : 'text-destructive')} data-testid="expectation-when">
            {e.met ? (
              e.line && onJump ? (
                <button type="button" className="underline decoration-dotted hover:text-foreground" onClick={() => onJump(e.line!.n)} title="Show this line in the console">
                  {when}
                </button>
              ) : (
                when
              )
            ) : (
              `not met${e.detail ? `: ${e.detail}` : ''}`
            )}
          </span>
        </p>
        {e.line ? <p className="truncate font-mono text-[11px] text-muted-foreground" title={e.line.text}>{e.line.text}</p> : e.met && e.detail ? <p className="text-xs text-muted-foreground">{e.detail}</p> : null}
      </div>
    </li>
  );
}
