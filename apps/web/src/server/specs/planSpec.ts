// The plan shown before a build: every image reference in the spec with the digest it resolves to
// (image store, engine cache, or a short registry lookup — the same order the worker builds with),
// and the sections the build will assemble with whether the worker's section cache holds them.
// An image that cannot be resolved is reported on its own line instead of failing the plan.
import { defaultImageProvider, explainBuild, plan, resolveImages, specImages, type ImageProvider, type RegistryPolicy } from '@oscompose/engine';
import { db } from '../db';
import { parseSpec } from '@oscompose/spec';
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
  /** The operator's OSCOMPOSE_REGISTRY_AUTH_<HOST> credentials; default the web config's. */
  registryAuth?: Record<string, string>;
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
 * The engine's image provider as the worker builds with (store → cache → registry, never
 * pulling), each lookup cut off at the per-image limit and an image that does not resolve
 * recorded for its own line (planned with UNRESOLVED) instead of failing the plan.
 */
async function planProvider(opts: Required<Omit<PlanOptions, 'arch' | 'insecureRegistries'>> & PlanOptions, pins: Map<string, string | null>) {
  const timeoutMs = opts.registryTimeoutMs;
  const engine = await defaultImageProvider({
    cacheDir: opts.cacheDir,
    imageStores: opts.imageStores,
    arch: opts.arch ?? 'amd64',
    insecureRegistries: opts.insecureRegistries ?? [],
    pull: false,
    // One try per request, each cut off at the per-image limit: the plan must answer quickly. The
    // same registry policy as the team's builds: a refused image is refused here, on its line.
    registry: { retries: 0, timeoutMs, policy: opts.policy, dockerConfig: false, env: opts.registryAuth },
  });
  const shown = new Map<string, PlanImage>();
  const provider: Pick<ImageProvider, 'resolve'> = {
    async resolve(reference) {
      try {
        const r = await withTimeout(engine.resolve(reference), timeoutMs, reference);
        const source = r.source ?? 'registry';
        shown.set(reference, { reference, digest: r.digest, source, cached: source !== 'registry' });
        return r;
      } catch (err) {
        const pin = pins.get(reference) ?? null;
        shown.set(reference, { reference, digest: pin, source: pin ? 'catalog' : 'registry', cached: false, error: (err as Error).message });
        return { ref: reference, digest: UNRESOLVED };
      }
    },
  };
  return { provider, shown };
}

/** Digests the catalog pins (team entries and public ones), the fallback for unresolvable images. */
async function catalogPins(teamId: string, refs: string[]): Promise<Map<string, string | null>> {
  const entries = await db().catalogEntry.findMany({ where: { reference: { in: refs }, OR: [{ teamId: null }, { teamId }] } });
  const pins = new Map<string, string | null>();
  for (const e of entries) if (e.pinnedDigest && (!pins.get(e.reference) || e.teamId)) pins.set(e.reference, e.pinnedDigest);
  return pins;
}

export async function planSpec(teamId: string, text: string, options: PlanOptions = {}): Promise<PlanDto> {
  const parsed = parseSpec(text, { server: true });
  const problems = parsed.problems.map((p) => ({ line: p.line, col: p.col, message: p.message, severity: p.severity }));
  if (!parsed.spec) return { images: [], sections: [], problems };
  const spec = parsed.spec;
  const refs = specImages(spec);
  const config = options.imageStores && options.cacheDir ? undefined : webConfig();
  const opts = {
    ...options,
    imageStores: options.imageStores ?? [config!.imageStore],
    cacheDir: options.cacheDir ?? config!.cacheDir,
    registryTimeoutMs: options.registryTimeoutMs ?? 5000,
    policy: options.policy ?? (await registryPolicyFor(db(), teamId)),
    registryAuth: options.registryAuth ?? config?.registryAuth ?? {},
  };
  const pins = await catalogPins(teamId, refs);
  // The same resolve → plan the worker runs; explainBuild only asks the section cache.
  const { provider, shown } = await planProvider(opts, pins);
  const resolved = await resolveImages(spec, provider);
  const images = refs.map((r) => shown.get(r)!);
  let sections: PlanSection[];
  try {
    const planned = await explainBuild(plan(spec, resolved), { cacheDir: opts.cacheDir });
    sections = planned.map((s) => ({ name: s.label, kind: s.kind, cached: s.cached }));
  } catch (err) {
    // The spec parsed but the planner refused it (e.g. a bad mount): show it as a problem.
    sections = [];
    problems.push({ line: 1, col: 1, message: `cannot plan the build: ${(err as Error).message}`, severity: 'error' });
  }
  return { images, sections, problems };
}
