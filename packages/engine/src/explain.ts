// explainBuild(): what a planned build would reuse, for the UI's "what will be built". The plan
// already holds every section's cache key; this only asks the section cache which it holds.
import { join } from 'node:path';
import type { SectionPlan } from './layout/plan';
import { SectionCache } from './initramfs/index';
import type { BuildPlan } from './buildPlan';

/** One section of a planned build and whether its archive is already in the section cache. */
export interface PlannedSection {
  id: string;
  label: string;
  kind: SectionPlan['kind'];
  image?: string;
  cached: boolean;
}

export async function explainBuild(plan: BuildPlan, opts: { cacheDir: string }): Promise<PlannedSection[]> {
  const cache = new SectionCache(join(opts.cacheDir, 'sections'));
  return Promise.all(
    plan.sections.map(async (s) => ({
      id: s.id,
      label: s.label,
      kind: s.kind,
      image: 'image' in s ? s.image?.ref : undefined,
      cached: await cache.has(s.cacheKey, plan.archiveExt),
    })),
  );
}
