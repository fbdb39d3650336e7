// The console of a testdrive as server-sent events: everything the VM printed so far (after
// Last-Event-ID, a Redis stream id), then live, until the VM ends. `output` events carry text
// (a JSON string), `end` the reason. While a page holds this stream open it beats the viewer
// key, which keeps the VM alive (the worker stops one nobody watches for a minute).

import { isActiveTestdrive } from '@oscompose/db';
import { beatTestdriveViewer, readTestdriveOutput, sendTestdriveInput, type TestdriveOutputEntry } from '@oscompose/queue';
import type { Caller } from '../auth/caller';
import { SSE_HEADERS } from '../builds/eventStream';
import { BadRequestError, ConflictError } from '../errors';
import { testdriveDeps } from './deps';
import { findTeamTestdrive } from './getTestdrive';

const BEAT_MS = 15_000;
const BLOCK_MS = 5_000;
const STREAM_ID = /^\d+-\d+$/;

export async function testdriveConsoleStream(caller: Caller, id: string, req: Request): Promise<Response> {
  await findTeamTestdrive(caller, id); // 404 for another team's
  const { db, redis, redisPrefix, subscriber } = await testdriveDeps();
  const asked = req.headers.get('last-event-id') ?? new URL(req.url).searchParams.get('after') ?? '0';
  const after = STREAM_ID.test(asked) ? asked : '0';
  const encoder = new TextEncoder();
  const reader = subscriber();
  let closed = false;
  let cleanup = () => {};

  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (chunk: string) => {
        if (!closed) controller.enqueue(encoder.encode(chunk));
      };
      const finish = () => {
        if (closed) return;
        closed = true;
        cleanup();
        controller.close();
      };
      const beat = () => void beatTestdriveViewer(redis, redisPrefix, id).catch(() => {});
      const beater = setInterval(beat, BEAT_MS);
      const keepalive = setInterval(() => send(': keepalive\n\n'), BEAT_MS);
      cleanup = () => {
        clearInterval(beater);
        clearInterval(keepalive);
        reader.disconnect();
      };
      req.signal?.addEventListener('abort', () => {
        closed = true;
        cleanup();
      });
      send('retry: 2000\n\n');
      void (async () => {
        let last = after;
        let row = await db.testdrive.findUnique({ where: { id }, select: { status: true, endReason: true } });
        if (row && isActiveTestdrive(row.status)) beat();
        while (!closed) {
          let entries: TestdriveOutputEntry[];
          try {
            // An ended one has nothing more coming: read what is left without waiting.
            entries = await readTestdriveOutput(reader, redisPrefix, id, last, row && isActiveTestdrive(row.status) ? BLOCK_MS : 1);
          } catch {
            if (closed) return;
            entries = [];
            await new Promise((r) => setTimeout(r, 1000));
          }
          for (const e of entries) {
            last = e.id;
            if ('end' in e) {
              send(`id: ${e.id}\nevent: end\ndata: ${JSON.stringify({ reason: e.end })}\n\n`);
              return finish();
            }
            send(`id: ${e.id}\nevent: output\ndata: ${JSON.stringify(e.data)}\n\n`);
          }
          if (!entries.length) {
            // Nothing new: a testdrive that ended without an end entry (its worker died, the
            // stream expired) still ends the stream.
            row = await db.testdrive.findUnique({ where: { id }, select: { status: true, endReason: true } }).catch(() => row);
            if (!row || !isActiveTestdrive(row.status)) {
              const more = await readTestdriveOutput(redis, redisPrefix, id, last, 1).catch(() => []);
              if (!more.length) {
                send(`event: end\ndata: ${JSON.stringify({ reason: row?.endReason ?? 'error' })}\n\n`);
                return finish();
              }
            }
          }
        }
      })().catch(() => finish());
    },
    cancel() {
      closed = true;
      cleanup();
    },
  });

  return new Response(stream, { headers: SSE_HEADERS });
}

/** The most one input request may carry (a paste); the terminal sends keystrokes one by one. */
export const MAX_INPUT_CHARS = 64 * 1024;

/** Keystrokes for the guest's serial console. */
export async function sendConsoleInput(caller: Caller, id: string, data: string): Promise<void> {
  const t = await findTeamTestdrive(caller, id);
  if (t.status !== 'running') throw new ConflictError(`Testdrive ${id} is ${t.status}; input reaches only a running one.`, 'testdrive_not_running');
  if (data.length > MAX_INPUT_CHARS) throw new BadRequestError(`Send at most ${MAX_INPUT_CHARS} characters at once.`);
  const { redis, redisPrefix } = await testdriveDeps();
  await sendTestdriveInput(redis, redisPrefix, id, { data });
}
