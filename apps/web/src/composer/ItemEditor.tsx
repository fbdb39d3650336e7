// Middle pane, bottom: a form for the selected kernel, init list, image entry or file. Every
// change is one spec edit (setField/unsetField), so the YAML updates at once and keeps comments.
'use client';
import { useEffect, useState, type ReactNode } from 'react';
import { Field } from '../ui/Field';
import { Input, Textarea } from '../ui/Input';
import { Button } from '../ui/Button';
import { cx } from '../ui/classNames';
import { CAPABILITIES } from './capabilities';
import type { Path, Selection } from './specEdits';
import type { ImageEntry, SpecModel } from './specModel';

interface Props {
  model: SpecModel;
  selection: Selection | null;
  onSet(path: Path, value: unknown): void;
  onMoveInit(from: number, to: number): void;
}

/** A text input whose value lives in the spec. */
function TextField({ id, label, hint, value, onChange, mono, placeholder }: { id: string; label: string; hint?: string; value: string | undefined; onChange(v: string): void; mono?: boolean; placeholder?: string }) {
  return (
    <Field label={label} hint={hint} htmlFor={id}>
      <Input id={id} className={mono ? 'font-mono text-xs' : undefined} value={value ?? ''} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} />
    </Field>
  );
}

/**
 * One list item per line. Keeps its own draft so a trailing newline survives while typing;
 * the draft follows the spec when the YAML changes elsewhere.
 */
function LinesField({ id, label, hint, value, onChange, placeholder, rows = 3 }: { id: string; label: string; hint?: string; value: string[] | undefined; onChange(v: string[]): void; placeholder?: string; rows?: number }) {
  const joined = (value ?? []).join('\n');
  const [draft, setDraft] = useState(joined);
  useEffect(() => {
    setDraft((d) => (splitLines(d).join('\n') === joined ? d : joined));
  }, [joined]);
  return (
    <Field label={label} hint={hint} htmlFor={id}>
      <Textarea
        id={id}
        rows={rows}
        value={draft}
        placeholder={placeholder}
        onChange={(e) => {
          setDraft(e.target.value);
          onChange(splitLines(e.target.value));
        }}
      />
    </Field>
  );
}

function splitLines(s: string): string[] {
  return s.split('\n').map((l) => l.trim()).filter(Boolean);
}

function CapabilityPicker({ value, onChange }: { value: string[]; onChange(v: string[]): void }) {
  const [q, setQ] = useState('');
  const shown = CAPABILITIES.filter((c) => c.toLowerCase().includes(q.toLowerCase()));
  const toggle = (cap: string) => onChange(value.includes(cap) ? value.filter((c) => c !== cap) : [...value, cap]);
  return (
    <Field label="Capabilities" hint={value.length ? `${value.length} selected` : 'none (image default)'}>
      <div className="rounded-md border">
        <div className="flex flex-wrap gap-1 border-b p-1.5">
          {value.length === 0 ? <span className="text-xs text-muted-foreground">Pick below</span> : null}
          {value.map((c) => (
            <button key={c} type="button" onClick={() => toggle(c)} className="rounded bg-accent px-1.5 py-0.5 font-mono text-[11px] text-primary" aria-label={`Remove ${c}`}>
              {c} ✕
            </button>
          ))}
        </div>
        <Input aria-label="Filter capabilities" placeholder="Filter…" value={q} onChange={(e) => setQ(e.target.value)} className="rounded-none border-0 border-b" />
        <div className="grid max-h-32 grid-cols-2 gap-x-2 overflow-auto p-1.5">
          {shown.map((c) => (
            <label key={c} className="flex items-center gap-1.5 font-mono text-[11px]">
              <input type="checkbox" checked={value.includes(c)} onChange={() => toggle(c)} />
              {c}
            </label>
          ))}
        </div>
      </div>
    </Field>
  );
}

function ImageForm({ entry, base, onSet }: { entry: ImageEntry; base: Path; onSet: Props['onSet'] }) {
  const at = (k: string): Path => [...base, k];
  const id = base.join('-');
  return (
    <div className="space-y-3">
      <div className="grid grid-cols-2 gap-3">
        <TextField id={`${id}-name`} label="Name" value={entry.name} onChange={(v) => onSet(at('name'), v)} />
        <TextField id={`${id}-image`} label="Image" value={entry.image} mono onChange={(v) => onSet(at('image'), v)} />
      </div>
      <LinesField id={`${id}-command`} label="Command" hint="one argument per line; empty = image default" value={entry.command} onChange={(v) => onSet(at('command'), v)} placeholder={'/bin/sh\n-c\necho hello'} />
      <LinesField id={`${id}-env`} label="Environment" hint="KEY=value per line" value={entry.env} onChange={(v) => onSet(at('env'), v)} placeholder="TZ=UTC" />
      <CapabilityPicker value={entry.capabilities ?? []} onChange={(v) => onSet(at('capabilities'), v)} />
      <LinesField id={`${id}-binds`} label="Binds" hint="src:dst[:opts] per line" value={entry.binds} onChange={(v) => onSet(at('binds'), v)} placeholder="/var:/var" />
      <div className="grid grid-cols-3 gap-3">
        <Field label="Network" htmlFor={`${id}-net`}>
          <select id={`${id}-net`} className="h-8 w-full rounded-md border bg-card px-2 text-sm" value={entry.net ?? ''} onChange={(e) => onSet(at('net'), e.target.value)}>
            <option value="">own namespace</option>
            <option value="host">host</option>
            <option value="none">none</option>
          </select>
        </Field>
        <Field label="PID" htmlFor={`${id}-pid`}>
          <select id={`${id}-pid`} className="h-8 w-full rounded-md border bg-card px-2 text-sm" value={entry.pid ?? ''} onChange={(e) => onSet(at('pid'), e.target.value)}>
            <option value="">own namespace</option>
            <option value="host">host</option>
          </select>
        </Field>
        <Field label="Root filesystem" htmlFor={`${id}-ro`}>
          <label className="flex h-8 items-center gap-2 text-sm">
            <input id={`${id}-ro`} type="checkbox" checked={entry.readonly === true} onChange={(e) => onSet(at('readonly'), e.target.checked ? true : undefined)} />
            read-only
          </label>
        </Field>
      </div>
      <TextField id={`${id}-cwd`} label="Working directory" value={entry.cwd} mono onChange={(v) => onSet(at('cwd'), v)} />
      <p className="text-xs text-muted-foreground">Other fields (mounts, devices, rlimits, runtime…) are edited in the YAML; the editor completes and documents them.</p>
    </div>
  );
}

export function ItemEditor({ model, selection, onSet, onMoveInit }: Props) {
  if (!model.ok) {
    return <p className="p-4 text-sm text-muted-foreground">The YAML does not parse; fix it in the editor (see the problems below it) and the form comes back.</p>;
  }
  if (!selection) {
    return (
      <div className="p-4 text-sm text-muted-foreground">
        Select an item above to edit it, or add one from the catalog (click, or drag it here).
      </div>
    );
  }
  let body: ReactNode = null;
  let title = '';
  if (selection.section === 'kernel') {
    const k = model.kernel ?? {};
    title = 'Kernel';
    body = (
      <div className="space-y-3">
        <TextField id="kernel-image" label="Image" mono value={k.image} onChange={(v) => onSet(['kernel', 'image'], v)} />
        <TextField id="kernel-cmdline" label="Command line" hint="kernel parameters" mono value={k.cmdline} onChange={(v) => onSet(['kernel', 'cmdline'], v)} placeholder="console=ttyS0" />
        <div className="grid grid-cols-2 gap-3">
          <TextField id="kernel-binary" label="Binary" hint="default: kernel" mono value={k.binary} onChange={(v) => onSet(['kernel', 'binary'], v)} />
          <TextField id="kernel-tar" label="Tar" hint="default: kernel.tar" mono value={k.tar} onChange={(v) => onSet(['kernel', 'tar'], v)} />
        </div>
      </div>
    );
  } else if (selection.section === 'init') {
    title = 'Init images';
    body = (
      <ol className="space-y-1">
        {model.init.map((ref, i) => (
          <li key={`${ref}-${i}`} className="flex items-center gap-2 rounded-md border px-2 py-1">
            <span className="min-w-0 flex-1 truncate font-mono text-xs">{ref}</span>
            <Button size="sm" variant="ghost" disabled={i === 0} aria-label={`Move ${ref} up`} onClick={() => onMoveInit(i, i - 1)}>↑</Button>
            <Button size="sm" variant="ghost" disabled={i === model.init.length - 1} aria-label={`Move ${ref} down`} onClick={() => onMoveInit(i, i + 1)}>↓</Button>
            <Button size="sm" variant="ghost" aria-label={`Remove ${ref}`} onClick={() => onSet(['init'], model.init.filter((_, j) => j !== i))}>✕</Button>
          </li>
        ))}
      </ol>
    );
  } else if (selection.section === 'volumes') {
    const v = model.volumes[selection.index];
    if (!v) return null;
    const base: Path = ['volumes', selection.index];
    title = `Volume ${v.name ?? ''}`;
    body = (
      <div className="space-y-3">
        <div className="grid grid-cols-2 gap-3">
          <TextField id="volume-name" label="Name" value={v.name} onChange={(x) => onSet([...base, 'name'], x)} />
          <TextField id="volume-image" label="Image" hint="contents; empty = empty volume" mono value={v.image} onChange={(x) => onSet([...base, 'image'], x)} />
        </div>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={v.readonly === true} onChange={(e) => onSet([...base, 'readonly'], e.target.checked ? true : undefined)} /> read-only
        </label>
        <p className="text-xs text-muted-foreground">Containers mount it with a bind such as <code className="font-mono">{v.name ?? 'name'}:/data</code>.</p>
      </div>
    );
  } else if (selection.section === 'files') {
    const f = model.files[selection.index];
    if (!f) return null;
    const base: Path = ['files', selection.index];
    title = `File ${f.path ?? ''}`;
    body = (
      <div className="space-y-3">
        <div className="grid grid-cols-[1fr_7rem] gap-3">
          <TextField id="file-path" label="Path" mono value={f.path} onChange={(v) => onSet([...base, 'path'], v)} />
          <TextField id="file-mode" label="Mode" mono value={f.mode} placeholder="0644" onChange={(v) => onSet([...base, 'mode'], v)} />
        </div>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={f.directory === true} onChange={(e) => onSet([...base, 'directory'], e.target.checked ? true : undefined)} /> directory
        </label>
        {f.directory ? null : (
          <Field label="Contents" htmlFor="file-contents">
            <Textarea id="file-contents" rows={8} value={f.contents ?? ''} onChange={(e) => onSet([...base, 'contents'], e.target.value)} />
          </Field>
        )}
      </div>
    );
  } else {
    const entry = model[selection.section][selection.index];
    if (!entry) return null;
    title = `${selection.section === 'services' ? 'Service' : selection.section === 'onboot' ? 'Onboot' : 'Onshutdown'} · ${entry.name ?? ''}`;
    body = <ImageForm key={`${selection.section}-${selection.index}`} entry={entry} base={[selection.section, selection.index]} onSet={onSet} />;
  }
  return (
    <div className={cx('space-y-3 p-4')} data-testid="item-editor">
      <h2 className="text-sm font-semibold">{title}</h2>
      {body}
    </div>
  );
}
