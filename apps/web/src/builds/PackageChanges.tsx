// The compare page's package changes: images and packages added, removed and changed between the
// two builds' SBOMs (diffSbom, @oscompose/engine/sbom).
'use client';
import { diffSbom, type SbomChange } from '@oscompose/engine/sbom';
import type { BuildDetail } from '../api-client/types';
import { Badge } from '../ui/Badge';
import { Card } from '../ui/Card';
import { ErrorState, Loading } from '../ui/States';
import { shortImage, useSbomRows, type SbomState } from './useSbomRows';

const TONE = { added: 'success', removed: 'danger', changed: 'warning' } as const;

export function PackageChanges({ left, right }: { left: BuildDetail; right: BuildDetail }) {
  const a = useSbomRows(left.sbom?.url);
  const b = useSbomRows(right.sbom?.url);
  const missing = [a.state === 'none' ? left : null, b.state === 'none' ? right : null].filter((x) => x !== null);
  const failed = [a, b].find((s): s is Extract<SbomState, { state: 'error' }> => s.state === 'error');
  const changes = a.state === 'ready' && b.state === 'ready' ? diffSbom(a.rows, b.rows) : null;
  const count = (c: SbomChange['change']) => changes?.filter((x) => x.change === c).length ?? 0;

  return (
    <Card title={<>Packages {changes ? <span className="font-normal text-muted-foreground">· {count('added')} added · {count('removed')} removed · {count('changed')} changed</span> : null}</>}>
      {missing.length ? (
        <p className="text-sm text-muted-foreground">
          {missing.map((m) => m.name).join(' and ')} {missing.length > 1 ? 'have' : 'has'} no SBOM (built before builds carried one, or not finished): rebuild fresh to compare packages.
        </p>
      ) : failed ? (
        <ErrorState message={`An SBOM could not be read: ${failed.message}`} />
      ) : !changes ? (
        <Loading label="Reading the SBOMs…" />
      ) : changes.length === 0 ? (
        <p className="text-sm text-muted-foreground" data-testid="package-changes">The same images and packages in both builds.</p>
      ) : (
        <table className="w-full text-left text-sm" data-testid="package-changes">
          <thead className="text-xs text-muted-foreground">
            <tr><th className="py-1">Change</th><th>Package</th><th>Image</th><th>{left.name}</th><th>{right.name}</th></tr>
          </thead>
          <tbody>
            {changes.map((c) => (
              <tr key={`${c.kind}\0${c.image}\0${c.name}`} className="border-t" data-change={c.change} data-kind={c.kind} data-name={c.name}>
                <td className="py-1.5"><Badge tone={TONE[c.change]}>{c.change}</Badge></td>
                <td className="font-mono text-xs">{c.kind === 'image' ? <span className="text-muted-foreground">image</span> : c.name}</td>
                <td className="font-mono text-xs" title={c.image}>{shortImage(c.image)}</td>
                <td className="max-w-56 truncate font-mono text-xs" title={c.before}>{c.before ?? '—'}</td>
                <td className="max-w-56 truncate font-mono text-xs" title={c.after}>{c.after ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
