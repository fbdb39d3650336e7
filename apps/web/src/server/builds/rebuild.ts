// Re-running a build: a new build with the same spec text, formats and name. Without `fresh`
// it may be served from the build cache (when its images still resolve to the same digests).

import type { Caller } from '../auth/caller';
import { createBuild } from './createBuild';
import { expectationsFromColumn } from '@oscompose/bootcheck/expectations';
import { findTeamBuild } from './getBuild';

export async function rebuild(caller: Caller, id: string, opts: { fresh?: boolean } = {}) {
  const old = await findTeamBuild(caller, id);
  const formats = JSON.parse(old.formats) as string[];
  const created = await createBuild(caller, { spec: old.specText, formats, ...(old.name ? { name: old.name } : {}), fresh: opts.fresh, priority: old.priority, ...bootCheckOf(old.bootExpectations) }, { compositionVersionId: old.compositionVersionId });
  return { id: created.id, url: created.url, status: created.status };
}

// The same expectations as the old build, so the rebuild is judged the same way.
function bootCheckOf(text: string | null) {
  const e = expectationsFromColumn(text);
  return e ? { bootCheck: e } : {};
}
