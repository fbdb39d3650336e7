// The home page's lists: the latest compositions and builds of the team.
'use client';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { BuildSummary, CompositionSummary } from '../api-client/types';
import { fetchJson } from '../api-client/fetchJson';
import { Badge, statusTone } from '../ui/Badge';
import { Card } from '../ui/Card';
import { Loading } from '../ui/States';
import { formatWhen } from '../ui/format';

export function RecentActivity() {
  const [compositions, setCompositions] = useState<CompositionSummary[] | null>(null);
  const [builds, setBuilds] = useState<BuildSummary[] | null>(null);
  useEffect(() => {
    fetchJson<{ items: CompositionSummary[] }>('/api/v1/compositions').then((r) => setCompositions(r.items.slice(0, 6)), () => setCompositions([]));
    fetchJson<{ items: BuildSummary[] }>('/api/v1/builds?pageSize=6').then((r) => setBuilds(r.items), () => setBuilds([]));
  }, []);
  return (
    <div className="mt-6 grid gap-4 md:grid-cols-2">
      <Card title="Compositions" actions={<Link className="text-xs text-primary hover:underline" href="/compositions">All</Link>}>
        {!compositions ? <Loading /> : compositions.length === 0 ? <p className="text-sm text-muted-foreground">None saved yet.</p> : (
          <ul className="space-y-2">
            {compositions.map((c) => (
              <li key={c.id} className="flex items-center justify-between gap-2 text-sm">
                <Link className="truncate hover:underline" href={`/compositions/${c.id}`}>{c.name}</Link>
                <span className="shrink-0 text-xs text-muted-foreground">v{c.latestVersion} · {formatWhen(c.updatedAt)}</span>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title="Recent builds" actions={<Link className="text-xs text-primary hover:underline" href="/builds">All</Link>}>
        {!builds ? <Loading /> : builds.length === 0 ? <p className="text-sm text-muted-foreground">No builds yet.</p> : (
          <ul className="space-y-2">
            {builds.map((b) => (
              <li key={b.id} className="flex items-center justify-between gap-2 text-sm">
                <Link className="truncate hover:underline" href={`/builds/${b.id}`}>{b.name}</Link>
                <span className="flex shrink-0 items-center gap-2 text-xs text-muted-foreground">
                  <Badge tone={statusTone(b.status)}>{b.status}</Badge>
                  {formatWhen(b.createdAt)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
