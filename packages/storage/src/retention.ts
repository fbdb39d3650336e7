// Retention: which published artifacts may go. Pure: it sees builds and their artifact keys and
// returns the keys to delete. A key shared by a cached build (which points at the original
// build's objects) goes only when every build that uses it goes.

export interface RetentionPolicy {
  /** Keep every build newer than this many days. */
  keepDays: number;
  /** Keep at least this many most recent builds per group (composition), whatever their age. */
  keepLast: number;
}

export interface RetentionBuild {
  id: string;
  finishedAt: Date | null;
  pinned: boolean;
  /** keepLast counts per group: the composition the build came from (null: builds of a pasted spec). */
  group?: string | null;
  /** Storage keys this build's artifact rows point at. */
  keys: string[];
}

export interface RetentionPlan {
  /** Builds whose artifact rows are to be removed. */
  expiredBuildIds: string[];
  /** Objects no kept build references any more. */
  deleteKeys: string[];
}

export function planRetention(builds: RetentionBuild[], policy: RetentionPolicy, now: Date): RetentionPlan {
  const cutoff = now.getTime() - policy.keepDays * 86_400_000;
  const newestFirst = [...builds].sort((a, b) => (b.finishedAt?.getTime() ?? Infinity) - (a.finishedAt?.getTime() ?? Infinity));
  const kept = new Set<string>();
  const rank = new Map<string, number>();
  for (const b of newestFirst) {
    const g = b.group ?? '';
    const i = rank.get(g) ?? 0;
    rank.set(g, i + 1);
    // An unfinished build (finishedAt null) is in use: never expire it.
    if (b.pinned || !b.finishedAt || b.finishedAt.getTime() >= cutoff || i < policy.keepLast) kept.add(b.id);
  }
  const keptKeys = new Set(builds.filter((b) => kept.has(b.id)).flatMap((b) => b.keys));
  const expired = builds.filter((b) => !kept.has(b.id));
  const deleteKeys = [...new Set(expired.flatMap((b) => b.keys))].filter((k) => !keptKeys.has(k)).sort();
  return { expiredBuildIds: expired.map((b) => b.id).sort(), deleteKeys };
}
