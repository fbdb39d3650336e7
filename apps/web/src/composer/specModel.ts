// A forgiving read of spec text for the form: whatever parses is shown, nothing is validated
// here (the server's parseSpec does that, with line/column problems).
import { parseDocument } from 'yaml';

export interface ImageEntry {
  name?: string;
  image?: string;
  command?: string[];
  env?: string[];
  capabilities?: string[];
  binds?: string[];
  net?: string;
  pid?: string;
  readonly?: boolean;
  cwd?: string;
  [key: string]: unknown;
}

export interface FileEntry {
  path?: string;
  contents?: string;
  directory?: boolean;
  symlink?: string;
  source?: string;
  mode?: string;
  [key: string]: unknown;
}

export interface SpecModel {
  /** False when the YAML itself does not parse: the form is read-only until it does. */
  ok: boolean;
  kernel?: { image?: string; cmdline?: string; tar?: string; binary?: string; [key: string]: unknown };
  init: string[];
  onboot: ImageEntry[];
  services: ImageEntry[];
  onshutdown: ImageEntry[];
  files: FileEntry[];
  volumes: { name?: string; image?: string; readonly?: boolean; [key: string]: unknown }[];
}

const asArray = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const asObject = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export function readSpecModel(text: string): SpecModel {
  const doc = parseDocument(text);
  const ok = doc.errors.length === 0;
  let js: Record<string, unknown> = {};
  try {
    js = asObject(doc.toJS());
  } catch {
    js = {};
  }
  const kernel = js.kernel && typeof js.kernel === 'object' ? (js.kernel as SpecModel['kernel']) : undefined;
  return {
    ok,
    kernel,
    init: asArray<unknown>(js.init).filter((x): x is string => typeof x === 'string'),
    onboot: asArray<unknown>(js.onboot).map(asObject) as ImageEntry[],
    services: asArray<unknown>(js.services).map(asObject) as ImageEntry[],
    onshutdown: asArray<unknown>(js.onshutdown).map(asObject) as ImageEntry[],
    files: asArray<unknown>(js.files).map(asObject) as FileEntry[],
    volumes: asArray<unknown>(js.volumes).map(asObject) as SpecModel['volumes'],
  };
}

/** Short name of an image reference for the outline: `…/oscompose/getty:1` → `getty:1`. */
export function shortImage(ref: string | undefined): string {
  if (!ref) return '';
  const noDigest = ref.split('@')[0] ?? ref;
  return noDigest.slice(noDigest.lastIndexOf('/') + 1);
}
