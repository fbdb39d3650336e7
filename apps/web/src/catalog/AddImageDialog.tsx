// "Add image" on /catalog (admins): by reference from a registry (POST /api/v1/catalog) or by
// uploading an OCI / `docker save` archive (POST /api/v1/catalog/uploads, the file as the body).
'use client';
import { useState, type FormEvent } from 'react';
import type { CatalogEntry } from '../api-client/types';
import { fetchJson } from '../api-client/fetchJson';
import { Button } from '../ui/Button';
import { Input } from '../ui/Input';
import { cx } from '../ui/classNames';
import { useEscape } from '../ui/useEscape';
import { KIND_LABEL, KIND_ORDER } from '../composer/CatalogPicker';

type Tab = 'reference' | 'upload';

/** Uploads the file as the raw body; the browser streams it from disk. */
async function uploadArchive(file: File, query: URLSearchParams): Promise<CatalogEntry> {
  let res: Response;
  try {
    res = await fetch(`/api/v1/catalog/uploads?${query}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: file });
  } catch {
    throw new Error('The server did not answer. Is oscompose running (`npm start`)?');
  }
  const data = (await res.json().catch(() => undefined)) as (CatalogEntry & { error?: { message?: string } }) | undefined;
  if (!res.ok) throw new Error(data?.error?.message ?? `${res.status} ${res.statusText}`);
  return data as CatalogEntry;
}

export function AddImageDialog({ onAdded, onClose }: { onAdded(entry: CatalogEntry): void; onClose(): void }) {
  useEscape(onClose);
  const [tab, setTab] = useState<Tab>('reference');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const text = (k: string) => String(f.get(k) ?? '').trim();
    setBusy(true);
    setError(null);
    try {
      let entry: CatalogEntry;
      if (tab === 'reference') {
        entry = await fetchJson<CatalogEntry>('/api/v1/catalog', {
          method: 'POST',
          body: { reference: text('reference'), kind: text('kind'), ...(text('name') ? { name: text('name') } : {}), ...(text('title') ? { title: text('title') } : {}) },
        });
      } else {
        const file = f.get('archive');
        if (!(file instanceof File) || file.size === 0) throw new Error('Choose an archive file (docker save -o image.tar, or skopeo copy … oci-archive:image.tar).');
        const q = new URLSearchParams({ name: text('name'), tag: text('tag') || 'latest', kind: text('kind') });
        if (text('title')) q.set('title', text('title'));
        entry = await uploadArchive(file, q);
      }
      onAdded(entry);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const tabButton = (t: Tab, label: string) => (
    <button type="button" role="tab" aria-selected={tab === t} onClick={() => (setTab(t), setError(null))} className={cx('rounded-md px-3 py-1 text-sm', tab === t ? 'bg-accent font-medium text-primary' : 'text-muted-foreground hover:bg-muted')}>
      {label}
    </button>
  );
  const field = 'flex flex-col gap-1 text-sm';

  return (
    <div role="dialog" aria-modal="true" aria-label="Add image" className="fixed inset-0 z-40 grid place-items-center bg-black/40 p-4" onClick={onClose}>
      <form className="w-full max-w-lg rounded-lg border bg-card shadow-xl" onClick={(e) => e.stopPropagation()} onSubmit={submit}>
        <header className="border-b px-4 py-3">
          <h2 className="font-semibold">Add an image to the team catalog</h2>
          <div role="tablist" aria-label="How to add" className="mt-2 flex gap-1">
            {tabButton('reference', 'By reference')}
            {tabButton('upload', 'Upload archive')}
          </div>
        </header>
        <div className="space-y-3 p-4">
          {tab === 'reference' ? (
            <>
              <label className={field}>
                Image reference
                <Input name="reference" required placeholder="docker.io/linuxkit/sshd:v1.0.0" autoFocus />
                <span className="text-xs text-muted-foreground">Resolved to a digest with the team's registry credentials.</span>
              </label>
              <label className={field}>
                Short name (optional)
                <Input name="name" placeholder="sshd" pattern="[a-z0-9][a-z0-9._\-]{0,62}" />
              </label>
            </>
          ) : (
            <>
              <label className={field}>
                Archive (OCI archive or docker save tarball, .tar or .tar.gz)
                <input name="archive" type="file" required accept=".tar,.tar.gz,.tgz,application/x-tar,application/gzip" className="text-sm" />
              </label>
              <div className="flex gap-2">
                <label className={cx(field, 'flex-1')}>
                  Name
                  <Input name="name" required placeholder="my-daemon" pattern="[a-z0-9][a-z0-9._\-]{0,62}" />
                </label>
                <label className={cx(field, 'w-32')}>
                  Tag
                  <Input name="tag" placeholder="latest" />
                </label>
              </div>
            </>
          )}
          <div className="flex gap-2">
            <label className={cx(field, 'w-40')}>
              Kind
              <select name="kind" defaultValue="service" className="h-9 rounded-md border bg-card px-2 text-sm">
                {KIND_ORDER.map((k) => <option key={k} value={k}>{KIND_LABEL[k] ?? k}</option>)}
              </select>
            </label>
            <label className={cx(field, 'flex-1')}>
              Title (optional)
              <Input name="title" />
            </label>
          </div>
          {error ? <p role="alert" className="text-sm text-destructive">{error}</p> : null}
        </div>
        <footer className="flex justify-end gap-2 border-t px-4 py-3">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy}>{busy ? (tab === 'upload' ? 'Uploading…' : 'Resolving…') : 'Add image'}</Button>
        </footer>
      </form>
    </div>
  );
}
