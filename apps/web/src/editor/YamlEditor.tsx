// The spec editor: Monaco with monaco-yaml, driven by the spec JSON Schema, plus server-side
// problems from parseSpec shown as markers. Loaded client-side only (Monaco needs `window`).
'use client';
import { useEffect, useRef } from 'react';
import Editor, { type OnMount } from '@monaco-editor/react';
import { configureSpecSchema, monaco, SPEC_MODEL_URI } from './monaco-setup';
import type { SpecProblem } from '../spec-client/problems';

export interface YamlEditorHandle {
  revealLine(line: number, col?: number): void;
  focus(): void;
}

interface Props {
  value: string;
  onChange(value: string): void;
  problems: SpecProblem[];
  dark: boolean;
  onReady?(handle: YamlEditorHandle): void;
  onSave?(): void;
  onBuild?(): void;
}

let schemaPromise: Promise<object | null> | undefined;
function loadSchema(): Promise<object | null> {
  schemaPromise ??= fetch('/api/v1/specs/schema')
    .then((r) => (r.ok ? (r.json() as Promise<object>) : null))
    .catch(() => null);
  return schemaPromise;
}

export default function YamlEditor({ value, onChange, problems, dark, onReady, onSave, onBuild }: Props) {
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const callbacks = useRef({ onSave, onBuild });
  callbacks.current = { onSave, onBuild };

  useEffect(() => {
    void loadSchema().then((schema) => configureSpecSchema(schema));
  }, []);

  // Server problems (parseSpec) become markers under their own owner, next to monaco-yaml's.
  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (!model) return;
    monaco.editor.setModelMarkers(
      model,
      'oscompose',
      problems.map((p) => ({
        startLineNumber: p.line,
        startColumn: p.col,
        endLineNumber: p.endLine ?? p.line,
        endColumn: p.endCol && (p.endLine ?? p.line) >= p.line ? Math.max(p.endCol, p.col + 1) : model.getLineMaxColumn(Math.min(p.line, model.getLineCount())),
        message: p.message,
        severity: p.severity === 'warning' ? monaco.MarkerSeverity.Warning : monaco.MarkerSeverity.Error,
      })),
    );
  }, [problems]);

  const onMount: OnMount = (editor) => {
    editorRef.current = editor;
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => callbacks.current.onSave?.());
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => callbacks.current.onBuild?.());
    onReady?.({
      revealLine(line, col = 1) {
        editor.revealLineInCenter(line);
        editor.setPosition({ lineNumber: line, column: col });
        editor.focus();
      },
      focus: () => editor.focus(),
    });
  };

  return (
    <Editor
      path={SPEC_MODEL_URI}
      language="yaml"
      value={value}
      theme={dark ? 'vs-dark' : 'vs'}
      onChange={(v) => onChange(v ?? '')}
      onMount={onMount}
      loading={<div className="p-4 text-sm text-muted-foreground">Loading editor…</div>}
      options={{
        minimap: { enabled: false },
        fontSize: 13,
        fontFamily: 'var(--font-geist-mono), ui-monospace, monospace',
        scrollBeyondLastLine: false,
        tabSize: 2,
        automaticLayout: true,
        quickSuggestions: { other: true, comments: false, strings: true },
        renderWhitespace: 'boundary',
        wordWrap: 'on',
      }}
    />
  );
}
