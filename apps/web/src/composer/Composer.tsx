// The composer: catalog picker | outline + item form | Monaco YAML with problems. The YAML text
// is the single source of truth; the form reads it (specModel) and writes it (specEdits).
'use client';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useRouter, useSearchParams } from 'next/navigation';
import { LazyYamlEditor } from '../editor/LazyYamlEditor';
import type { YamlEditorHandle } from '../editor/YamlEditor';
import type { SpecProblem } from '../spec-client/problems';
import type { BootExpectations, CatalogEntry, FormatInfo, PlanResult } from '../api-client/types';
import { ApiError, fetchJson } from '../api-client/fetchJson';
import { Button } from '../ui/Button';
import { Input } from '../ui/Input';
import { cx } from '../ui/classNames';
import { useDarkMode } from '../ui/ThemeToggle';
import { CatalogPicker } from './CatalogPicker';
import { Outline } from './Outline';
import { ItemEditor } from './ItemEditor';
import { ProblemList } from './ProblemList';
import { PlanDialog } from './PlanDialog';
import { ImportDialog } from './ImportDialog';
import { FormatPicker } from './FormatPicker';
import { HintList, specHints } from './Hints';
import { TemplatePicker } from './TemplatePicker';
import { BootCheckPanel } from './BootCheckPanel';
import { EMPTY_BOOT_CHECK_FORM, expectationsFromForm, expectationsKey, formFromExpectations, type BootCheckForm } from './bootCheckForm';
import { readSpecModel } from './specModel';
import { addCatalogItem, addFile, moveItem, removeItem, setField, type CatalogItemToAdd, type Path, type Selection } from './specEdits';

const DRAFT_KEY = 'oscompose:draft';
const BOOT_DRAFT_KEY = 'oscompose:draft-boot-check';

export interface ComposerProps {
  compositionId?: string;
  initialName: string;
  initialText: string;
  version?: number;
  /** The saved version's boot expectations (null: none beyond a boot). */
  initialBootCheck?: BootExpectations | null;
  /** Extra toolbar buttons (history, share, duplicate on a saved composition). */
  toolbarExtra?: ReactNode;
  /** Called after a save created a new version. */
  onSaved?(version: number): void;
}

export function Composer({ compositionId, initialName, initialText, version, initialBootCheck = null, toolbarExtra, onSaved }: ComposerProps) {
  const router = useRouter();
  const search = useSearchParams();
  const dark = useDarkMode();
  const [text, setText] = useState(initialText);
  const [name, setName] = useState(initialName);
  const [savedText, setSavedText] = useState(compositionId ? initialText : '');
  const [bootForm, setBootForm] = useState<BootCheckForm>(() => formFromExpectations(initialBootCheck));
  const [savedBootKey, setSavedBootKey] = useState(() => expectationsKey(initialBootCheck));
  const boot = useMemo(() => expectationsFromForm(bootForm), [bootForm]);
  const bootKey = boot.ok ? expectationsKey(boot.value) : null;
  const [selection, setSelection] = useState<Selection | null>(null);
  const [problems, setProblems] = useState<SpecProblem[]>([]);
  const [checking, setChecking] = useState(false);
  const [formats, setFormats] = useState<FormatInfo[]>([]);
  const [chosen, setChosen] = useState<string[]>(['kernel+initrd']);
  const [notice, setNotice] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState<'save' | 'build' | null>(null);
  const [plan, setPlan] = useState<{ open: boolean; loading: boolean; data: PlanResult | null; error: string | null }>({ open: false, loading: false, data: null, error: null });
  const [importing, setImporting] = useState(false);
  const editor = useRef<YamlEditorHandle | null>(null);
  const model = useMemo(() => readSpecModel(text), [text]);
  const [catalog, setCatalog] = useState<CatalogEntry[]>([]);
  const hints = useMemo(() => (text.trim() ? specHints(model, catalog) : []), [model, catalog, text]);

  // A new composition keeps a draft in the browser, so a trip to the catalog loses nothing.
  useEffect(() => {
    if (compositionId) return;
    const draft = localStorage.getItem(DRAFT_KEY);
    if (draft !== null && draft !== initialText) setText(draft);
    try {
      const bootDraft = JSON.parse(localStorage.getItem(BOOT_DRAFT_KEY) ?? 'null') as BootCheckForm | null;
      if (bootDraft && typeof bootDraft === 'object') setBootForm({ ...EMPTY_BOOT_CHECK_FORM, ...bootDraft });
    } catch {
      // an unreadable draft is dropped
    }
    if (draft?.trim() || initialText.trim() || search.get('add')) return;
    // "New composition" with nothing drafted opens the team's default composition, if it has one.
    fetchJson<{ composition: { name: string; version: number; spec: string } | null }>('/api/v1/teams/default-composition')
      .then(({ composition }) => {
        if (!composition || localStorage.getItem(DRAFT_KEY)?.trim()) return;
        setText(composition.spec);
        setNotice({ tone: 'ok', text: `Started from the team default, ${composition.name} v${composition.version}` });
      })
      .catch(() => undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [compositionId, initialText]);
  useEffect(() => {
    if (!compositionId) localStorage.setItem(DRAFT_KEY, text);
  }, [compositionId, text]);
  useEffect(() => {
    if (!compositionId) localStorage.setItem(BOOT_DRAFT_KEY, JSON.stringify(bootForm));
  }, [compositionId, bootForm]);

  // ?add=<catalog entry id> (from the catalog's "Add to composition").
  useEffect(() => {
    const id = search.get('add');
    if (!id) return;
    fetchJson<CatalogEntry>(`/api/v1/catalog/${encodeURIComponent(id)}`)
      .then((e) => {
        const stored = compositionId ? null : localStorage.getItem(DRAFT_KEY);
        const res = addCatalogItem(stored ?? text, { kind: e.kind, reference: e.reference, name: e.name });
        setText(res.text);
        setSelection(res.selection);
        setNotice({ tone: 'ok', text: `Added ${e.title || e.name}` });
        router.replace(compositionId ? `/compositions/${compositionId}` : '/compose');
      })
      .catch((e: Error) => setNotice({ tone: 'error', text: e.message }));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search]);

  useEffect(() => {
    fetchJson<{ formats: FormatInfo[] }>('/api/v1/formats')
      .then((r) => setFormats(r.formats))
      .catch(() => setFormats([]));
  }, []);

  // Server-side validation (parseSpec), debounced while typing.
  useEffect(() => {
    const ctl = new AbortController();
    setChecking(true);
    const t = setTimeout(() => {
      fetchJson<{ problems: SpecProblem[] }>('/api/v1/specs/validate', { body: { spec: text }, signal: ctl.signal })
        .then((r) => {
          setProblems(r.problems);
          setChecking(false);
        })
        .catch((e: Error) => {
          if (e.name === 'AbortError') return;
          setChecking(false);
          setProblems([{ line: 1, col: 1, message: `Could not check the spec: ${e.message}`, severity: 'warning' }]);
        });
    }, 250);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [text]);

  const add = useCallback((item: CatalogItemToAdd) => {
    setText((t) => {
      const res = addCatalogItem(t, item);
      setSelection(res.selection);
      return res.text;
    });
  }, []);
  const set = useCallback((path: Path, value: unknown) => setText((t) => setField(t, path, value)), []);

  const save = useCallback(async () => {
    if (!boot.ok) {
      setNotice({ tone: 'error', text: `Boot check: ${boot.problems[0]!.message}` });
      return;
    }
    setBusy('save');
    setNotice(null);
    try {
      if (compositionId) {
        // bootCheck null clears the saved expectations; a new version when spec or expectations changed.
        const r = await fetchJson<{ version: number }>(`/api/v1/compositions/${compositionId}`, { method: 'PUT', body: { spec: text, name, bootCheck: boot.value } });
        setSavedText(text);
        setSavedBootKey(expectationsKey(boot.value));
        setNotice({ tone: 'ok', text: `Saved version ${r.version}` });
        onSaved?.(r.version);
      } else {
        const r = await fetchJson<{ id: string }>('/api/v1/compositions', { body: { name: name || 'untitled', spec: text, bootCheck: boot.value } });
        localStorage.removeItem(DRAFT_KEY);
        localStorage.removeItem(BOOT_DRAFT_KEY);
        router.push(`/compositions/${r.id}`);
      }
    } catch (e) {
      setNotice({ tone: 'error', text: (e as Error).message });
    } finally {
      setBusy(null);
    }
  }, [boot, compositionId, name, onSaved, router, text]);

  const build = useCallback(async () => {
    if (!boot.ok) {
      setNotice({ tone: 'error', text: `Boot check: ${boot.problems[0]!.message}` });
      return;
    }
    setBusy('build');
    setNotice(null);
    try {
      // The panel's expectations go with the build as shown, saved or not ({} = none, also for a
      // composition that has some saved).
      const r = await fetchJson<{ id: string; url?: string }>('/api/v1/builds', {
        body: {
          ...(compositionId && text === savedText ? { compositionId, compositionVersion: version } : { spec: text }),
          formats: chosen,
          name: name || 'untitled',
          bootCheck: boot.value ?? {},
        },
      });
      router.push(`/builds/${r.id}`);
    } catch (e) {
      if (e instanceof ApiError && e.problems.length) setProblems(e.problems);
      setNotice({ tone: 'error', text: (e as Error).message });
      setBusy(null);
    }
  }, [boot, chosen, compositionId, name, router, savedText, text, version]);

  const showPlan = useCallback(async () => {
    setPlan({ open: true, loading: true, data: null, error: null });
    try {
      const data = await fetchJson<PlanResult>('/api/v1/specs/plan', { body: { spec: text, formats: chosen } });
      setPlan({ open: true, loading: false, data, error: null });
    } catch (e) {
      setPlan({ open: true, loading: false, data: null, error: (e as Error).message });
    }
  }, [chosen, text]);

  const exportYaml = () => {
    const blob = new Blob([text], { type: 'text/yaml' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${(name || 'linuxkit').replace(/[^\w.-]+/g, '-')}.yml`;
    a.click();
    URL.revokeObjectURL(a.href);
  };

  // ⌘/Ctrl-S saves, ⌘/Ctrl-Enter builds (Monaco has the same bindings inside the editor).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.metaKey || e.ctrlKey)) return;
      if (e.key === 's') {
        e.preventDefault();
        void save();
      } else if (e.key === 'Enter') {
        e.preventDefault();
        void build();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [save, build]);

  const hasErrors = problems.some((p) => p.severity !== 'warning');
  const dirty = compositionId ? text !== savedText || bootKey !== savedBootKey : text.trim() !== '';

  return (
    <div className="flex h-[calc(100vh-3rem)] min-h-[560px] flex-col">
      <div className="flex flex-wrap items-center gap-2 border-b px-3 py-2">
        <Input aria-label="Composition name" className="h-8 w-64 font-medium" value={name} onChange={(e) => setName(e.target.value)} placeholder="Name this composition" />
        {compositionId ? <span className="text-xs text-muted-foreground">v{version}{dirty ? ' · unsaved changes' : ''}</span> : null}
        <FormatPicker formats={formats} chosen={chosen} onChange={setChosen} />
        <div className="ml-auto flex items-center gap-2">
          {toolbarExtra}
          <Button size="sm" variant="ghost" onClick={() => setImporting(true)}>Import</Button>
          <Button size="sm" variant="ghost" onClick={exportYaml}>Export</Button>
          <Button size="sm" variant="outline" onClick={() => void showPlan()} disabled={hasErrors}>Plan</Button>
          <Button size="sm" variant="outline" onClick={() => void save()} disabled={busy !== null} title="Save (Ctrl+S)">{busy === 'save' ? 'Saving…' : 'Save'}</Button>
          <Button size="sm" variant="primary" onClick={() => void build()} disabled={busy !== null || hasErrors || chosen.length === 0} title="Build (Ctrl+Enter)">{busy === 'build' ? 'Submitting…' : 'Build'}</Button>
        </div>
      </div>
      {notice ? (
        <div role={notice.tone === 'error' ? 'alert' : 'status'} className={cx('border-b px-3 py-1.5 text-sm', notice.tone === 'error' ? 'bg-destructive/8 text-destructive' : 'bg-success/10 text-success')}>
          {notice.text}
        </div>
      ) : null}
      <div className="grid min-h-0 flex-1 grid-cols-[15rem_minmax(20rem,1fr)_minmax(24rem,1.15fr)] xl:grid-cols-[17rem_minmax(22rem,1fr)_minmax(28rem,1.2fr)]">
        <aside aria-label="Catalog" className="min-h-0 border-r">
          <CatalogPicker onAdd={add} onLoaded={setCatalog} />
        </aside>
        <section aria-label="Composition" className="min-h-0 overflow-auto border-r">
          {text.trim() === '' && !compositionId ? (
            <TemplatePicker
              onPick={(t, n) => {
                setText(t);
                if (!name) setName(n);
              }}
            />
          ) : null}
          <HintList hints={hints} onFix={add} />
          <Outline
            model={model}
            selection={selection}
            onSelect={setSelection}
            onRemove={(sel) => {
              setText((t) => removeItem(t, sel));
              setSelection(null);
            }}
            onMove={(section, from, to) => {
              setText((t) => moveItem(t, section, from, to));
              setSelection({ section, index: to });
            }}
            onDropCatalog={add}
            onAddFile={() => {
              const res = addFile(text, '/etc/motd');
              setText(res.text);
              setSelection(res.selection);
            }}
          />
          <div className="border-t">
            <ItemEditor model={model} selection={selection} onSet={set} onMoveInit={(from, to) => setText((t) => moveItem(t, 'init', from, to))} />
          </div>
          <BootCheckPanel form={bootForm} onChange={setBootForm} dirty={Boolean(compositionId) && bootKey !== savedBootKey} />
        </section>
        <section aria-label="YAML" className="flex min-h-0 flex-col">
          <div className="min-h-0 flex-1" data-testid="yaml-editor">
            <LazyYamlEditor
              value={text}
              onChange={setText}
              problems={problems}
              dark={dark}
              onReady={(h) => (editor.current = h)}
              onSave={() => void save()}
              onBuild={() => void build()}
            />
          </div>
          <ProblemList problems={problems} checking={checking} onJump={(p) => editor.current?.revealLine(p.line, p.col)} />
        </section>
      </div>
      {plan.open ? <PlanDialog plan={plan.data} loading={plan.loading} error={plan.error} onClose={() => setPlan((p) => ({ ...p, open: false }))} onBuild={() => void build()} /> : null}
      {importing ? (
        <ImportDialog
          onClose={() => setImporting(false)}
          onImport={(t) => {
            setText(t);
            setSelection(null);
            setImporting(false);
            setNotice({ tone: 'ok', text: 'Imported. Check the problems list, then build.' });
          }}
        />
      ) : null}
    </div>
  );
}
