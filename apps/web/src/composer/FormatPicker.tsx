// Output formats for the build: a compact menu of checkboxes; formats whose host tools are
// missing are shown disabled with the Debian package that provides them.
'use client';
import { useEffect, useRef, useState } from 'react';
import type { FormatInfo } from '../api-client/types';
import { Button } from '../ui/Button';

export function FormatPicker({ formats, chosen, onChange }: { formats: FormatInfo[]; chosen: string[]; onChange(next: string[]): void }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement | null>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !ref.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('mousedown', close);
    window.addEventListener('keydown', close);
    return () => {
      window.removeEventListener('mousedown', close);
      window.removeEventListener('keydown', close);
    };
  }, [open]);
  const list = formats.length ? formats : [{ name: 'kernel+initrd', available: true, missing: [] }];
  return (
    <div ref={ref} className="relative">
      <Button size="sm" variant="outline" aria-haspopup="true" aria-expanded={open} onClick={() => setOpen((o) => !o)} title="Output formats">
        <span className="text-muted-foreground">Formats:</span> {chosen.length ? chosen.join(', ') : 'none'} ▾
      </Button>
      {open ? (
        <div role="group" aria-label="Output formats" className="absolute left-0 z-30 mt-1 w-72 rounded-md border bg-card p-1 shadow-lg">
          {list.map((f) => (
            <label key={f.name} className="flex cursor-pointer items-start gap-2 rounded px-2 py-1.5 text-sm hover:bg-muted" title={f.available ? '' : 'Missing host tools'}>
              <input
                type="checkbox"
                className="mt-0.5"
                disabled={!f.available}
                checked={chosen.includes(f.name)}
                onChange={(e) => onChange(e.target.checked ? [...chosen, f.name] : chosen.filter((c) => c !== f.name))}
              />
              <span>
                <span className={f.available ? 'font-mono text-xs' : 'font-mono text-xs text-muted-foreground'}>{f.name}</span>
                {!f.available ? (
                  <span className="block text-[11px] text-muted-foreground">needs {f.missing.map((m) => `apt-get install ${m.debianPackage}`).join(', ')}</span>
                ) : null}
              </span>
            </label>
          ))}
        </div>
      ) : null}
    </div>
  );
}
