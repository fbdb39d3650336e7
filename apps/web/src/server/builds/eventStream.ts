// Server-sent events for one build: replay the stored events (after Last-Event-ID), then follow
// the build's Redis channel, and end after the final status. The worker stores a batch before
// publishing it, so subscribing first, then replaying, then passing on only newer seqs loses
// nothing and repeats nothing.

import { isFinalStatus } from '@oscompose/db';
import { buildChannel, buildEventMessage, type BuildEventMessage } from '@oscompose/queue';
import type { Caller } from '../auth/caller';
import { channelsFor, type Unlisten } from './channels';
import { buildDeps } from './deps';
import { findTeamBuild } from './getBuild';

const KEEPALIVE_MS = 15_000;

/** Headers of every server-sent event stream (no proxy buffering, no caching). */
export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
};
const RECHECK_MS = 5_000;

export function formatSse(m: Pick<BuildEventMessage, 'seq' | 'type' | 'data' | 'time'>): string {
  return `id: ${m.seq}\nevent: ${m.type}\ndata: ${JSON.stringify({ ...m.data, time: m.time })}\n\n`;
}

const isFinal = (m: BuildEventMessage) => m.type === 'status' && isFinalStatus(String(m.data.status ?? ''));

export async function buildEventStream(caller: Caller, buildId: string, req: Request): Promise<Response> {
  await findTeamBuild(caller, buildId); // 404 for another team's build
  const { db, subscriber, redisPrefix } = await buildDeps();
  const lastEventId = Number(req.headers.get('last-event-id') ?? new URL(req.url).searchParams.get('after') ?? -1);
  const encoder = new TextEncoder();
  const channels = channelsFor(subscriber);
  let unlisten: Unlisten = () => {};
  let closed = false;
  let cleanup = () => {};

  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let last = Number.isFinite(lastEventId) ? lastEventId : -1;
      let live = false;
      const buffer: BuildEventMessage[] = [];
      const send = (chunk: string) => {
        if (!closed) controller.enqueue(encoder.encode(chunk));
      };
      const finish = () => {
        if (closed) return;
        closed = true;
        cleanup();
        controller.close();
      };
      const deliver = (m: BuildEventMessage) => {
        if (m.seq <= last) return;
        last = m.seq;
        send(formatSse(m));
        if (isFinal(m)) finish();
      };

      const onMessage = (text: string) => {
        let parsed;
        try {
          parsed = buildEventMessage.safeParse(JSON.parse(text));
        } catch {
          return;
        }
        if (!parsed.success) return;
        if (live) deliver(parsed.data);
        else buffer.push(parsed.data);
      };
      const keepalive = setInterval(() => send(`: keepalive\n\n`), KEEPALIVE_MS);
      // The final status may have no event (e.g. a row fixed by hand): check the row now and then.
      const recheck = setInterval(async () => {
        const b = await db.build.findUnique({ where: { id: buildId }, select: { status: true } }).catch(() => null);
        if (b && isFinalStatus(b.status)) await replay(true);
      }, RECHECK_MS);
      cleanup = () => {
        clearInterval(keepalive);
        clearInterval(recheck);
        unlisten();
      };
      req.signal?.addEventListener('abort', () => {
        closed = true;
        cleanup();
      });

      const replay = async (synthesizeFinal: boolean) => {
        const rows = await db.buildEvent.findMany({ where: { buildId, seq: { gt: last } }, orderBy: { seq: 'asc' } });
        for (const r of rows) {
          deliver({ buildId, seq: r.seq, time: r.time.toISOString(), type: r.type as BuildEventMessage['type'], data: JSON.parse(r.payload) });
        }
        if (synthesizeFinal && !closed) {
          const b = await db.build.findUnique({ where: { id: buildId } });
          if (b && isFinalStatus(b.status)) {
            deliver({ buildId, seq: last + 1, time: new Date().toISOString(), type: 'status', data: { status: b.status, error: b.error, cached: Boolean(b.cachedFromId) } });
          }
        }
      };

      try {
        unlisten = await channels.listen(buildChannel(redisPrefix, buildId), onMessage);
        if (closed) unlisten();
      } catch {
        // Redis is down: replay what is stored; the recheck loop ends the stream when the build ends.
      }
      send(`retry: 2000\n\n`);
      const build = await db.build.findUnique({ where: { id: buildId }, select: { status: true } });
      await replay(Boolean(build && isFinalStatus(build.status)));
      live = true;
      for (const m of buffer.splice(0)) deliver(m);
    },
    cancel() {
      closed = true;
      cleanup();
    },
  });

  return new Response(stream, { headers: SSE_HEADERS });
}
