// A unified line diff, coloured, with old/new line numbers.
import { cx } from '../ui/classNames';
import { diffStats, lineDiff } from './lineDiff';

export function DiffView({ before, after, labels }: { before: string; after: string; labels?: [string, string] }) {
  const lines = lineDiff(before, after);
  const stats = diffStats(lines);
  return (
    <div className="overflow-hidden rounded-md border" data-testid="diff">
      <div className="flex gap-3 border-b bg-muted px-3 py-1.5 text-xs">
        {labels ? <span className="font-medium">{labels[0]} → {labels[1]}</span> : null}
        <span className="text-success">+{stats.added}</span>
        <span className="text-destructive">−{stats.removed}</span>
        {stats.added + stats.removed === 0 ? <span className="text-muted-foreground">identical</span> : null}
      </div>
      <pre className="max-h-[60vh] overflow-auto font-mono text-xs leading-5">
        {lines.map((l, i) => (
          <div key={i} className={cx('flex', l.kind === 'added' && 'bg-success/12', l.kind === 'removed' && 'bg-destructive/12')}>
            <span className="w-10 shrink-0 select-none pr-2 text-right text-muted-foreground">{l.oldLine ?? ''}</span>
            <span className="w-10 shrink-0 select-none pr-2 text-right text-muted-foreground">{l.newLine ?? ''}</span>
            <span className="w-4 shrink-0 select-none">{l.kind === 'added' ? '+' : l.kind === 'removed' ? '−' : ' '}</span>
            <span className="whitespace-pre">{l.text}</span>
          </div>
        ))}
      </pre>
    </div>
  );
}
