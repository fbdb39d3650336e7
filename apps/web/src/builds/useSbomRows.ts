// A build's SBOM as rows for the build and compare pages: fetched from GET /api/v1/builds/:id/sbom
// and read in the browser (@oscompose/engine/sbom), once per URL.
'use client';
import { useEffect, useState } from 'react';
import { sbomRows, type SbomRow } from '@oscompose/engine/sbom';
import { fetchJson } from '../api-client/fetchJson';

export type SbomState = { state: 'none' } | { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; rows: SbomRow[] };

/** `url` null: the build has no SBOM (yet). */
export function useSbomRows(url: string | null | undefined): SbomState {
  const [result, setResult] = useState<{ url: string; state: SbomState } | null>(null);
  useEffect(() => {
    if (!url) return;
    let live = true;
    fetchJson<unknown>(url).then(
      (doc) => live && setResult({ url, state: { state: 'ready', rows: sbomRows(doc) } }),
      (e: Error) => live && setResult({ url, state: { state: 'error', message: e.message } }),
    );
    return () => {
      live = false;
    };
  }, [url]);
  if (!url) return { state: 'none' };
  return result?.url === url ? result.state : { state: 'loading' };
}

/** The last part of an image reference (registry and namespace dropped), for narrow columns. */
export function shortImage(ref: string): string {
  return ref.split('/').pop() ?? ref;
}
