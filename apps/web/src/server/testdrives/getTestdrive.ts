// One testdrive of the caller's team (through its build); another team's is "not found".

import type { Caller } from '../auth/caller';
import { can } from '../auth/permissions';
import { NotFoundError } from '../errors';
import { testdriveDeps } from './deps';
import { presentTestdrive } from './present';

export async function findTeamTestdrive(caller: Caller, id: string) {
  const { db } = await testdriveDeps();
  const t = await db.testdrive.findFirst({ where: { id, build: { teamId: caller.teamId } }, include: { user: { select: { id: true, name: true } } } });
  if (!t) throw new NotFoundError(`Testdrive ${id}`);
  return t;
}

/** With `canType`: whether this caller may type, extend and stop (viewers watch). */
export async function getTestdrive(caller: Caller, id: string) {
  return { ...presentTestdrive(await findTeamTestdrive(caller, id)), canType: can(caller.role, 'testdrive:use') };
}

/** The console transcript kept with the build once the VM ended (text/plain download). */
export async function testdriveTranscript(caller: Caller, id: string): Promise<Response> {
  const t = await findTeamTestdrive(caller, id);
  if (!t.transcriptKey) throw new NotFoundError(`The transcript of testdrive ${id} (it is kept once the VM has ended)`);
  const { store } = await testdriveDeps();
  const { Readable } = await import('node:stream');
  const body = Readable.toWeb(await store.read(t.transcriptKey)) as ReadableStream;
  return new Response(body, {
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Disposition': `attachment; filename="testdrive-${id}.log"`, 'X-Content-Type-Options': 'nosniff' },
  });
}
