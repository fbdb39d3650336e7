// fetch for /api/v1 from the browser: JSON in, JSON out, API errors thrown with their message.
import type { SpecProblem } from '../spec-client/problems';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly problems: SpecProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export async function fetchJson<T>(url: string, init?: { method?: string; body?: unknown; signal?: AbortSignal }): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init?.method ?? (init?.body === undefined ? 'GET' : 'POST'),
      headers: init?.body === undefined ? undefined : { 'content-type': 'application/json' },
      body: init?.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init?.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError('The server did not answer. Is oscompose running (`npm start`)?', 0, 'network');
  }
  const text = await res.text();
  let data: unknown = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: fall through with the status
  }
  if (res.status === 401 && typeof window !== 'undefined' && !window.location.pathname.startsWith('/sign-')) {
    // Signed out (or the session expired): sign in, then come back here.
    window.location.assign(`/sign-in?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
  }
  if (!res.ok) {
    const e = (data as { error?: { code?: string; message?: string; problems?: SpecProblem[] } } | undefined)?.error;
    throw new ApiError(e?.message ?? `${res.status} ${res.statusText}`, res.status, e?.code ?? 'http', e?.problems ?? []);
  }
  return data as T;
}
