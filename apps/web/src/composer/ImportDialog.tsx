// Import a linuxkit.yml: paste it or pick a file; it replaces the current spec as is.
'use client';
import { useState } from 'react';
import { Button } from '../ui/Button';
import { Textarea } from '../ui/Input';
import { useEscape } from '../ui/useEscape';

export function ImportDialog({ onImport, onClose }: { onImport(text: string): void; onClose(): void }) {
  useEscape(onClose);
  const [text, setText] = useState('');
  return (
    <div role="dialog" aria-modal="true" aria-label="Import YAML" className="fixed inset-0 z-40 grid place-items-center bg-black/40 p-4" onClick={onClose}>
      <div className="w-full max-w-2xl rounded-lg border bg-card shadow-xl" onClick={(e) => e.stopPropagation()}>
        <header className="border-b px-4 py-3">
          <h2 className="font-semibold">Import a linuxkit.yml</h2>
          <p className="text-xs text-muted-foreground">Paste it below or choose a file. It replaces the current spec; nothing is rewritten.</p>
        </header>
        <div className="space-y-3 p-4">
          <Textarea aria-label="YAML to import" rows={14} value={text} onChange={(e) => setText(e.target.value)} placeholder={'kernel:\n  image: linuxkit/kernel:6.6.71\n  cmdline: "console=ttyS0"\ninit:\n  - linuxkit/init:…'} autoFocus />
          <input
            type="file"
            accept=".yml,.yaml,text/yaml"
            aria-label="YAML file to import"
            className="text-sm"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (file) setText(await file.text());
            }}
          />
        </div>
        <footer className="flex justify-end gap-2 border-t px-4 py-3">
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" disabled={!text.trim()} onClick={() => onImport(text)}>Import</Button>
        </footer>
      </div>
    </div>
  );
}
