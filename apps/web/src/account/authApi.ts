// Browser calls to better-auth's endpoints (/api/auth/*): JSON in, JSON out, its error message
// thrown as is ("Invalid email or password", "Sign-up is by invitation: …").
export async function authPost<T = unknown>(path: string, body: unknown): Promise<T> {
  const res = await fetch(`/api/auth/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  let data: { message?: string; error?: { message?: string } } | undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  if (!res.ok) throw new Error(data?.message ?? data?.error?.message ?? `${res.status} ${res.statusText}`);
  return data as T;
}

/** Where to go after signing in: ?next= when it is a path on this site, else home. */
export function nextPath(): string {
  if (typeof window === 'undefined') return '/';
  const next = new URLSearchParams(window.location.search).get('next');
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}
