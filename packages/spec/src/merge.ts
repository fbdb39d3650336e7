// Combine several specs as `linuxkit build a.yml b.yml` does: for kernel fields the later
// non-empty value wins; init, onboot, onshutdown, services, files, volumes and trust lists append.
import type { Document } from 'yaml';
import type { Spec } from './schema';
import { imageSections } from './schema';
import { linesOf, parseSpec } from './parse';
import { checkSemantics } from './semantic';
import { hasErrors, sortProblems, type SpecProblem } from './problems';
import { locate, spanOf } from './locate';

export function mergeSpecs(specs: readonly Spec[]): Spec {
  const out: Spec = {};
  for (const s of specs) {
    if (s.kernel) {
      const k = { ...(out.kernel ?? {}) };
      if (s.kernel.image) k.image = s.kernel.image;
      if (s.kernel.cmdline) k.cmdline = s.kernel.cmdline;
      if (s.kernel.binary) k.binary = s.kernel.binary;
      // tar and ucode are pointers in LinuxKit: set (even to "") means set.
      if (s.kernel.tar !== undefined) k.tar = s.kernel.tar;
      if (s.kernel.ucode !== undefined) k.ucode = s.kernel.ucode;
      out.kernel = k;
    }
    for (const key of ['init', ...imageSections, 'files', 'volumes'] as const) {
      const list = s[key] as unknown[] | undefined;
      if (list) (out as Record<string, unknown[]>)[key] = [...((out[key] as unknown[] | undefined) ?? []), ...list];
    }
    if (s.trust) {
      out.trust = {
        ...((out.trust?.image || s.trust.image) ? { image: [...(out.trust?.image ?? []), ...(s.trust.image ?? [])] } : {}),
        ...((out.trust?.org || s.trust.org) ? { org: [...(out.trust?.org ?? []), ...(s.trust.org ?? [])] } : {}),
      };
    }
  }
  return out;
}

export interface SpecInput {
  file: string;
  text: string;
}

export interface ParseSpecsResult {
  /** The merged spec, present only when no file has an error. */
  spec?: Spec;
  problems: SpecProblem[];
  docs: { file: string; doc: Document }[];
}

/** Parse each file, merge them in order and run the checks that span files on the result. */
export function parseSpecs(inputs: readonly SpecInput[]): ParseSpecsResult {
  const parsed = inputs.map((input) => ({ input, result: parseSpec(input.text, { file: input.file, checks: inputs.length === 1 ? 'all' : 'local' }) }));
  const problems = parsed.flatMap((p) => p.result.problems);
  const docs = parsed.map((p) => ({ file: p.input.file, doc: p.result.doc }));
  if (hasErrors(problems)) return { problems: sortProblems(problems), docs };
  const specs = parsed.map((p) => p.result.spec!);
  const spec = mergeSpecs(specs);
  if (inputs.length > 1) {
    for (const f of checkSemantics(spec, 'cross')) {
      const origin = originOf(specs, f.path);
      const p = parsed[origin.index]!;
      const lines = linesOf(p.result.doc)!;
      const found = locate(p.result.doc, origin.path);
      const node = f.onKey && found.keyNode ? found.keyNode : found.node;
      problems.push({ file: p.input.file, ...spanOf(node, lines), path: origin.path, message: f.message, severity: f.severity ?? 'error' });
    }
  }
  const sorted = sortProblems(problems);
  return hasErrors(sorted) ? { problems: sorted, docs } : { spec, problems: sorted, docs };
}

/** Which input a path of the merged spec came from, and its path there. */
export function originOf(specs: readonly Spec[], path: readonly (string | number)[]): { index: number; path: (string | number)[] } {
  const [section, idx, ...rest] = path;
  if (typeof section === 'string' && typeof idx === 'number') {
    let offset = idx;
    for (let i = 0; i < specs.length; i++) {
      const list = (specs[i] as Record<string, unknown[] | undefined>)[section];
      const n = Array.isArray(list) ? list.length : 0;
      if (offset < n) return { index: i, path: [section, offset, ...rest] };
      offset -= n;
    }
  }
  if (section === 'kernel') {
    // The file whose value won: the last one that sets the field (or has a kernel section).
    for (let i = specs.length - 1; i >= 0; i--) {
      const k = specs[i]!.kernel;
      if (k && (typeof idx !== 'string' || k[idx as keyof typeof k] !== undefined)) return { index: i, path: [...path] };
    }
  }
  return { index: 0, path: [...path] };
}
