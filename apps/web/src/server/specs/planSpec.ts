// The plan shown before a build: every image reference in the spec with the digest it resolves to
// (image store, engine cache, or a short registry lookup — the same order the worker builds with),
// and the sections the build will assemble with whether the worker's section cache holds them.
// An image that cannot be resolved is reported on its own line instead of failing the plan.
import { createImageResolver, explainBuild, type ImageProvider, type RegistryPolicy } from '@oscompose/engine';
import { prisma } from '@oscompose/db';
import { parseSpec, type Spec } from '@oscompose/spec';
import { webConfig } from '../config';
import { registryPolicyFor } from '../registries/teamRegistries';
import type { ValidateProblem } from './validateSpec';

export type ImageSource = 'store' | 'cache' | 'registry' | 'catalog';

export interface PlanImage {
  reference: string;
  digest: string | null;
  source: ImageSource;
  /** True when the build needs no registry for it (image store or engine cache). */
  cached: boolean;
  /** Why the image did not resolve (then digest is the catalog's pin, or null). */
  error?: string;
}

export interface PlanSection {
  name: string;
  kind: string;
  cached: boolean;
}

export interface PlanDto {
  images: PlanImage[];
  sections: PlanSection[];
  problems: ValidateProblem[];
}

export interface PlanOptions {
  /** The worker's image store and engine cache; default the web config's (same env as the worker). */
  imageStores?: string[];
  cacheDir?: string;
  arch?: string;
  insecureRegistries?: string[];
  /** Time allowed per image for a registry lookup. */
  registryTimeoutMs?: number;
  /** The registry policy; default the team's (operator's list + Settings → Registries). */
  policy?: RegistryPolicy;
}

interface ImageLike {
  name?: string;
  image?: string;
}

/** Image references of a parsed spec in build order, with the section each lands in. */
export function specImages(spec: { kernel?: { image?: string }; init?: string[]; onboot?: ImageLike[]; onshutdown?: ImageLike[]; services?: ImageLike[]; volumes?: ImageLike[] }): { reference: string; section: string }[] {
  const out: { reference: string; section: string }[] = [];
  if (spec.kernel?.image) out.push({ reference: spec.kernel.image, section: 'kernel' });
  for (const ref of spec.init ?? []) out.push({ reference: ref, section: `init ${ref.split('/').pop()}` });
  const containers = (list: ImageLike[] | undefined, kind: string) =>
    (list ?? []).forEach((e, i) => e.image && out.push({ reference: e.image, section: `${kind}/${kind === 'onboot' || kind === 'onshutdown' ? `${String(i).padStart(3, '0')}-` : ''}${e.name ?? i}` }));
  containers(spec.onboot, 'onboot');
  containers(spec.onshutdown, 'onshutdown');
  containers(spec.services, 'services');
  containers(spec.volumes, 'volumes');
  return out;
}

// A digest no cache entry can have: sections built from an image that did not resolve are
// planned with it, so they show as "will build" while the others still report their cache state.
const UNRESOLVED = `sha256:${'0'.repeat(64)}`;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer from the registry within ${Math.round(ms / 1000)} s (check the registry is reachable, or add the image to the catalog)`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Resolves every reference once (store → cache → registry, never pulling): returns what the plan
 * shows per image and an ImageProvider that answers explainBuild from those results.
 */
async function resolveImages(refs: string[], opts: Required<Omit<PlanOptions, 'arch' | 'insecureRegistries'>> & PlanOptions, pins: Map<string, string | null>) {
  const timeoutMs = opts.registryTimeoutMs;
  const resolver = createImageResolver({
    cacheDir: opts.cacheDir,
    imageStores: opts.imageStores,
    arch: opts.arch ?? 'amd64',
    insecureRegistries: opts.insecureRegistries ?? [],
    pull: false,
    // One try per request, each cut off at the per-image limit: the plan must answer quickly. The
    // same registry policy as the team's builds: a refused image is refused here, on its line.
    registry: { retries: 0, timeoutMs, policy: opts.policy, dockerConfig: false },
  });
  const results = new Map<string, { image: PlanImage; provided: Awaited<ReturnType<ImageProvider['resolve']>> }>();
  await Promise.all(
    refs.map(async (reference) => {
      try {
        const r = await withTimeout(resolver.resolve(reference), timeoutMs, reference);
        results.set(reference, {
          image: { reference, digest: r.digest, source: r.source, cached: r.source !== 'registry' },
          provided: { ref: reference, digest: r.digest, pinned: r.pinned, config: r.config as { config?: never } },
        });
      } catch (err) {
        const pin = pins.get(reference) ?? null;
        results.set(reference, {
          image: { reference, digest: pin, source: pin ? 'catalog' : 'registry', cached: false, error: (err as Error).message },
          provided: { ref: reference, digest: UNRESOLVED },
        });
      }
    }),
  );
  const provider: ImageProvider = {
    async resolve(ref) {
      return results.get(ref)?.provided ?? { ref, digest: UNRESOLVED };
    },
    // eslint-disable-next-line require-yield
    async *flatten() {
      throw new Error('the build plan never reads image contents');
    },
  };
  return { images: refs.map((r) => results.get(r)!.image), provider };
}

/** Digests the catalog pins (team entries and public ones), the fallback for unresolvable images. */
async function catalogPins(teamId: string, refs: string[]): Promise<Map<string, string | null>> {
  const entries = await prisma.catalogEntry.findMany({ where: { reference: { in: refs }, OR: [{ teamId: null }, { teamId }] } });
  const pins = new Map<string, string | null>();
  for (const e of entries) if (e.pinnedDigest && (!pins.get(e.reference) || e.teamId)) pins.set(e.reference, e.pinnedDigest);
  return pins;
}

export async function planSpec(teamId: string, text: string, options: PlanOptions = {}): Promise<PlanDto> {
  const parsed = parseSpec(text, { server: true });
  const problems = parsed.problems.map((p) => ({ line: p.line, col: p.col, message: p.message, severity: p.severity }));
  if (!parsed.spec) return { images: [], sections: [], problems };
  const spec = parsed.spec as Spec;
  const refs = [...new Set(specImages(spec as Parameters<typeof specImages>[0]).map((i) => i.reference))];
  const config = options.imageStores && options.cacheDir ? undefined : webConfig();
  const opts = {
    ...options,
    imageStores: options.imageStores ?? [config!.imageStore],
    cacheDir: options.cacheDir ?? config!.cacheDir,
    registryTimeoutMs: options.registryTimeoutMs ?? 5000,
    policy: options.policy ?? (await registryPolicyFor(prisma, teamId)),
  };
  const pins = await catalogPins(teamId, refs);
  const { images, provider } = await resolveImages(refs, opts, pins);
  let sections: PlanSection[];
  try {
    const planned = await explainBuild(spec, provider, { cacheDir: opts.cacheDir });
    sections = planned.map((s) => ({ name: s.label, kind: s.kind, cached: s.cached }));
  } catch (err) {
    // The spec parsed but the planner refused it (e.g. a bad mount): show it as a problem.
    sections = [];
    problems.push({ line: 1, col: 1, message: `cannot plan the build: ${(err as Error).message}`, severity: 'error' });
  }
  return { images, sections, problems };
}
