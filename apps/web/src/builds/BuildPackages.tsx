// The build page's package list: every package in the build's SBOM with its version, the image it
// is in and where it was found (attestation, catalog record, dpkg/apk database), with a search.
'use client';
import { useMemo, useState } from 'react';
import { FOUND_IN_LABEL, filterRows } from '@oscompose/engine/sbom';
import type { BuildSbom } from '../api-client/types';
import { Card } from '../ui/Card';
import { Input } from '../ui/Input';
import { ErrorState, Loading } from '../ui/States';
import { shortImage, useSbomRows } from './useSbomRows';

// A page of rows at a time: a full Debian image lists a few hundred packages.
const PAGE = 200;

export function BuildPackages({ sbom, running }: { sbom: BuildSbom | null | undefined; running: boolean }) {
  const result = useSbomRows(sbom?.url);
  const [query, setQuery] = useState('');
  const [shown, setShown] = useState(PAGE);
  const rows = result.state === 'ready' ? result.rows : [];
  const packages = useMemo(() => filterRows(rows, query).filter((r) => r.kind === 'package'), [rows, query]);
  const images = rows.filter((r) => r.kind === 'image').length;
  const total = rows.length - images;

  return (
    <Card
      title={<>Packages {result.state === 'ready' ? <span className="font-normal text-muted-foreground">· {total} in {images} images</span> : null}</>}
      actions={
        sbom ? (
          <>
            {result.state === 'ready' ? (
              <Input aria-label="Search packages" placeholder="Search name, version, image…" className="w-64" value={query} onChange={(e) => (setQuery(e.target.value), setShown(PAGE))} />
            ) : null}
            <a className="text-xs text-primary underline" href={sbom.downloadUrl} download title={`sha256 ${sbom.sha256}`}>
              SBOM (SPDX 2.3)
            </a>
          </>
        ) : null
      }
    >
      {result.state === 'none' ? (
        <p className="text-sm text-muted-foreground">
          {running ? 'Listed from the build’s SBOM once it succeeds.' : 'This build has no SBOM (it was built before builds carried one). Rebuild fresh to get one.'}
        </p>
      ) : result.state === 'loading' ? (
        <Loading label="Reading the SBOM…" />
      ) : result.state === 'error' ? (
        <ErrorState message={`The SBOM could not be read: ${result.message}`} />
      ) : packages.length === 0 ? (
        <p className="text-sm text-muted-foreground">{query ? `No package matches “${query}”.` : 'The SBOM lists no packages.'}</p>
      ) : (
        <>
          <table className="w-full text-left text-sm" data-testid="packages">
            <thead className="text-xs text-muted-foreground">
              <tr><th className="py-1">Package</th><th>Version</th><th>Image</th><th>Found in</th></tr>
            </thead>
            <tbody>
              {packages.slice(0, shown).map((r) => (
                <tr key={`${r.image}\0${r.name}\0${r.version}\0${r.purl ?? ''}`} className="border-t" data-package={r.name}>
                  <td className="py-1.5 font-mono text-xs">{r.name}</td>
                  <td className="font-mono text-xs">{r.version}</td>
                  <td className="font-mono text-xs" title={`${r.image}@${r.imageDigest}`}>{shortImage(r.image)}</td>
                  <td className="text-xs text-muted-foreground">{r.found ? FOUND_IN_LABEL[r.found] : '—'}{r.supplier ? ` · ${r.supplier.replace(/^(Organization|Person): /, '')}` : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {packages.length > shown ? (
            <button className="mt-2 text-sm text-primary underline" onClick={() => setShown(packages.length)}>
              Show all {packages.length}
            </button>
          ) : null}
        </>
      )}
    </Card>
  );
}
