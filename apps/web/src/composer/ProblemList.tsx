// Problems from the server's parseSpec, one per line; a click puts the cursor on the spot.
'use client';
import type { SpecProblem } from '../spec-client/problems';
import { cx } from '../ui/classNames';

export function ProblemList({ problems, checking, onJump }: { problems: SpecProblem[]; checking: boolean; onJump(p: SpecProblem): void }) {
  const errors = problems.filter((p) => p.severity !== 'warning').length;
  return (
    <div className="border-t" data-testid="problems">
      <div className="flex items-center gap-2 px-3 py-1.5 text-xs">
        <span className="font-semibold">Problems</span>
        {checking ? <span className="text-muted-foreground">checking…</span> : null}
        {!checking && problems.length === 0 ? <span className="text-success">✓ valid spec</span> : null}
        {errors ? <span className="text-destructive">{errors} error{errors > 1 ? 's' : ''}</span> : null}
      </div>
      {problems.length ? (
        <ul className="max-h-36 overflow-auto pb-1">
          {problems.map((p, i) => (
            <li key={i}>
              <button
                type="button"
                onClick={() => onJump(p)}
                className="flex w-full items-baseline gap-2 px-3 py-0.5 text-left text-xs hover:bg-muted"
                data-problem-line={p.line}
              >
                <span className={cx('shrink-0', p.severity === 'warning' ? 'text-warning' : 'text-destructive')}>{p.severity === 'warning' ? '⚠' : '●'}</span>
                <span className="shrink-0 font-mono text-muted-foreground">Line {p.line}:{p.col}</span>
                <span>{p.message}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
