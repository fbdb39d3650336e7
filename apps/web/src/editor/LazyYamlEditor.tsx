// Client-only wrapper: Monaco touches `window` at import time, so it never renders on the server.
'use client';
import dynamic from 'next/dynamic';

export const LazyYamlEditor = dynamic(() => import('./YamlEditor'), {
  ssr: false,
  loading: () => <div className="p-4 text-sm text-muted-foreground">Loading editor…</div>,
});
