// The team's build history, newest first, filtered by status and a text query (id, name, spec).

import { BuildStatus } from '@oscompose/db';
import { z } from 'zod';
import type { Caller } from '../auth/caller';
import { buildDeps } from './deps';
import { presentSummary } from './present';

export const ListBuildsQuery = z.object({
  status: BuildStatus.optional(),
  q: z.string().max(200).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(25),
});
export type ListBuildsQuery = z.infer<typeof ListBuildsQuery>;

export async function listBuilds(caller: Caller, query: ListBuildsQuery) {
  const { db } = await buildDeps();
  const q = query.q?.trim();
  const where = {
    teamId: caller.teamId,
    ...(query.status ? { status: query.status } : {}),
    ...(q ? { OR: [{ id: { startsWith: q } }, { name: { contains: q } }, { specText: { contains: q } }] } : {}),
  };
  const [total, rows] = await Promise.all([
    db.build.count({ where }),
    db.build.findMany({
      where,
      orderBy: [{ queuedAt: 'desc' }, { id: 'desc' }],
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
      include: { requester: { select: { id: true, name: true } } },
    }),
  ]);
  return { items: rows.map(presentSummary), page: query.page, pageSize: query.pageSize, total };
}
