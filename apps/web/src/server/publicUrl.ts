// The absolute address the server gives out (invitation links, netboot scripts, CLI hints):
// OSCOMPOSE_PUBLIC_URL when it is set, else the origin the request came to, so a server reached
// as http://<name>:3000 never hands out a http://localhost link that only works on its own host.
import { webConfig } from './config';

/** The origin the request was addressed to (Host header; X-Forwarded-* behind a proxy). */
export function requestOrigin(request: Request | undefined): string | undefined {
  if (!request) return undefined;
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  if (!host) return undefined;
  const proto = request.headers.get('x-forwarded-proto') ?? new URL(request.url).protocol.replace(':', '');
  return `${proto}://${host}`;
}

/** A path of this server made absolute on the public URL (netboot scripts, links in answers). */
export function absoluteUrl(request: Request, path: string): string {
  return `${publicBaseUrl(request)}${path}`;
}

/** The build's page in the UI, absolute (what the CLI prints after a submit). */
export function buildPageUrl(request: Request, id: string): string {
  return `${publicBaseUrl(request)}/builds/${encodeURIComponent(id)}`;
}

/** For pages: OSCOMPOSE_PUBLIC_URL when it is set (their hints name it), else undefined (the browser's address). */
export function configuredPublicUrl(): string | undefined {
  const cfg = webConfig();
  return cfg.publicUrlSet ? cfg.publicUrl : undefined;
}

/** OSCOMPOSE_PUBLIC_URL (no trailing slash), else the request's origin, else the default address. */
export function publicBaseUrl(request?: Request): string {
  const cfg = webConfig();
  if (cfg.publicUrlSet) return cfg.publicUrl;
  return requestOrigin(request) ?? cfg.publicUrl;
}
