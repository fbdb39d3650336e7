'use client';
// "Testdrive" per bootable artifact format of a finished build: starts one on a worker and opens
// its page. Which formats boot is the engine's word (the API refuses the others with the list);
// this list only decides which buttons to show.
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ApiError, fetchJson } from '../api-client/fetchJson';
import { Button } from '../ui/Button';

const BOOTABLE = /^(kernel\+initrd|iso-(bios|efi)|(raw|qcow2)-(bios|efi)|uki|vhd|vmdk)$/;

export function bootableFormats(formats: string[]): string[] {
  return [...new Set(formats)].filter((f) => BOOTABLE.test(f));
}

export function TestdriveButtons({ buildId, formats, ports }: { buildId: string; formats: string[]; ports?: number[] }) {
  const router = useRouter();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const bootable = bootableFormats(formats);
  if (!bootable.length) return null;
  const start = async (artifact: string) => {
    setBusy(artifact);
    setError(null);
    try {
      const t = await fetchJson<{ id: string; url: string }>(`/api/v1/builds/${buildId}/testdrive`, { body: { artifact, ...(ports?.length ? { ports } : {}) } });
      router.push(t.url);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
      setBusy(null);
    }
  };
  return (
    <div className="mt-3 flex flex-wrap items-center gap-2 border-t pt-3 text-sm" data-testid="testdrive-buttons">
      <span className="text-muted-foreground">Boot it in your browser:</span>
      {bootable.map((f) => (
        <Button key={f} size="sm" variant="outline" disabled={busy !== null} onClick={() => void start(f)}>
          {busy === f ? 'Starting…' : `Testdrive ${f}`}
        </Button>
      ))}
      {error ? <p role="alert" className="w-full text-destructive">{error}</p> : null}
    </div>
  );
}
