// The public netboot endpoints: /boot/<token>.ipxe (the script) and /boot/<token>/{kernel,initrd,
// cmdline} (the files, with Range and HEAD: iPXE and HTTP boot firmware fetch in pieces). No
// login: the token is the capability; an unknown or revoked one answers 404 like a missing page.

import { publicBaseUrl } from '../publicUrl';
import { serveArtifactFile } from '../builds/downloadArtifact';
import { buildDeps } from '../builds/deps';
import { ipxeScript, ipxeUnsafe } from './ipxe';
import { netbootBuild } from './links';

const FILES = { kernel: '-kernel', initrd: '-initrd.img', cmdline: '-cmdline' } as const;
type NetbootFile = keyof typeof FILES;

const notFound = () => new Response('not found\n', { status: 404, headers: { 'content-type': 'text/plain', 'cache-control': 'no-store' } });


function fileOf<A extends { format: string; name: string }>(build: { artifacts: A[] }, file: NetbootFile): A | undefined {
  return build.artifacts.find((a) => a.format === 'kernel+initrd' && a.name.endsWith(FILES[file]));
}

async function readCmdline(build: Awaited<ReturnType<typeof netbootBuild>>): Promise<string> {
  const a = build && fileOf(build, 'cmdline');
  if (!a) return '';
  const chunks: Buffer[] = [];
  for await (const c of await (await buildDeps()).store.read(a.storageKey)) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8').trim();
}

export async function serveNetbootScript(tokenFile: string, req: Request): Promise<Response> {
  const m = /^(.+)\.ipxe$/.exec(tokenFile);
  const build = m ? await netbootBuild(m[1]!) : null;
  if (!build || !fileOf(build, 'kernel') || !fileOf(build, 'initrd')) return notFound();
  const cmdline = await readCmdline(build);
  if (ipxeUnsafe(cmdline)) return new Response('this build\'s cmdline holds "$" or a line break, which iPXE would expand; netboot it by hand\n', { status: 422 });
  const body = ipxeScript({ base: publicBaseUrl(req), token: m![1]!, cmdline, buildId: build.id, name: build.name ?? 'linuxkit' });
  const headers = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(body)) };
  return new Response(req.method === 'HEAD' ? null : body, { status: 200, headers });
}

export async function serveNetbootFile(token: string, file: string, req: Request): Promise<Response> {
  if (!(file in FILES)) return notFound();
  const build = await netbootBuild(token);
  const artifact = build && fileOf(build, file as NetbootFile);
  if (!artifact) return notFound();
  // A composition link moves to the next build: caches must ask again (the ETag still saves bytes).
  return serveArtifactFile((await buildDeps()).store, artifact, req, { cache: 'no-cache' });
}
