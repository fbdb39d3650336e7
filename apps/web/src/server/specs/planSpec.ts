// The plan shown before a build: every image reference in the spec with the digest the team's
// catalog pins it to, and the sections the build will assemble. Resolution against registries is
// the worker's job; here a reference without a pinned digest shows as "resolve at build".
import { prisma } from '@oscompose/db';
import { parseSpec } from '@oscompose/spec';
import type { ValidateProblem } from './validateSpec';

export interface PlanDto {
  images: { reference: string; digest: string | null; source: string; cached: boolean }[];
  sections: { name: string; cached: boolean }[];
  problems: ValidateProblem[];
}

interface ImageLike {
  name?: string;
  image?: string;
}

/** Image references of a parsed spec in build order, with the section each lands in. */
export function specImages(spec: { kernel?: { image?: string }; init?: string[]; onboot?: ImageLike[]; onshutdown?: ImageLike[]; services?: ImageLike[] }): { reference: string; section: string }[] {
  const out: { reference: string; section: string }[] = [];
  if (spec.kernel?.image) out.push({ reference: spec.kernel.image, section: 'kernel' });
  for (const ref of spec.init ?? []) out.push({ reference: ref, section: `init ${ref.split('/').pop()}` });
  const containers = (list: ImageLike[] | undefined, kind: string) =>
    (list ?? []).forEach((e, i) => e.image && out.push({ reference: e.image, section: `${kind}/${kind === 'onboot' || kind === 'onshutdown' ? `${String(i).padStart(3, '0')}-` : ''}${e.name ?? i}` }));
  containers(spec.onboot, 'onboot');
  containers(spec.onshutdown, 'onshutdown');
  containers(spec.services, 'services');
  return out;
}

export async function planSpec(teamId: string, text: string): Promise<PlanDto> {
  const parsed = parseSpec(text);
  const problems = parsed.problems.map((p) => ({ line: p.line, col: p.col, message: p.message, severity: p.severity }));
  if (!parsed.spec) return { images: [], sections: [], problems };
  const images = specImages(parsed.spec as Parameters<typeof specImages>[0]);
  const refs = [...new Set(images.map((i) => i.reference))];
  const entries = await prisma.catalogEntry.findMany({ where: { reference: { in: refs }, OR: [{ teamId: null }, { teamId }] } });
  const byRef = new Map(entries.map((e) => [e.reference, e]));
  return {
    images: refs.map((reference) => {
      const digestInRef = reference.includes('@') ? reference.slice(reference.indexOf('@') + 1) : null;
      const entry = byRef.get(reference);
      return {
        reference,
        digest: digestInRef ?? entry?.pinnedDigest ?? null,
        source: digestInRef ? 'pinned in spec' : entry ? `catalog (${entry.source})` : 'registry (resolved at build)',
        cached: false,
      };
    }),
    sections: [...images.map((i) => ({ name: i.section, cached: false })), ...(parsed.spec.files?.length ? [{ name: 'files', cached: false }] : [])],
    problems,
  };
}
