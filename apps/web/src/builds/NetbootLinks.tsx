// The build page's netboot URLs (no login: the token is the secret), with copy buttons and revoke:
// the build's own, and — for a build made from a composition — the composition's, which always
// boots its latest succeeded kernel+initrd build (docs/supply-chain.md#netboot).
'use client';
import { useState } from 'react';
import type { BuildDetail } from '../api-client/types';
import { fetchJson } from '../api-client/fetchJson';
import { Button } from '../ui/Button';
import { CopyButton } from '../ui/CopyButton';

type Link = { path: string; url?: string } | null;

export function NetbootLinks({ build, onChange }: { build: BuildDetail; onChange: () => void }) {
  return (
    <>
      <NetbootLine api={`/api/v1/builds/${build.id}/netboot`} link={build.netboot ?? null} label="Netboot" testId="netboot" scope="this build" onChange={onChange} />
      {build.composition ? (
        <NetbootLine
          api={`/api/v1/compositions/${build.composition.id}/netboot`}
          link={build.composition.netboot}
          label={`Latest of ${build.composition.name}`}
          testId="netboot-latest"
          scope={`the latest succeeded build of ${build.composition.name}`}
          onChange={onChange}
        />
      ) : null}
    </>
  );
}

function NetbootLine({ api, link, label, testId, scope, onChange }: { api: string; link: Link; label: string; testId: string; scope: string; onChange: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const act = (method: 'POST' | 'DELETE') => fetchJson(api, { method }).then(onChange, (e: Error) => setError(e.message));
  // The server names it on its public URL (OSCOMPOSE_PUBLIC_URL): what firmware elsewhere can reach.
  const url = link ? link.url ?? `${window.location.origin}${link.path}` : '';
  return (
    <div className="mt-3 flex flex-wrap items-center gap-2 border-t pt-3 text-sm" data-testid={testId}>
      <span className="font-medium">{label}</span>
      {link ? (
        <>
          <code className="font-mono text-xs" data-testid={`${testId}-url`}>{url}</code>
          <CopyButton value={url} label="Copy URL" />
          <CopyButton value={`chain --autofree ${url}`} label="Copy iPXE command" />
          <Button variant="secondary" onClick={() => void act('DELETE')}>Revoke</Button>
          <span className="text-xs text-muted-foreground">anyone with the URL can boot {scope}; revoking makes it 404</span>
        </>
      ) : (
        <Button variant="secondary" onClick={() => void act('POST')}>Create iPXE URL</Button>
      )}
      {error ? <span className="text-xs text-destructive">{error}</span> : null}
    </div>
  );
}
