// Polling for something a test started (a server answering, a row appearing).

/** Thrown from a waitFor check: stop waiting at once (the thing waited for died). */
export class Fatal extends Error {}

export async function waitFor(check: () => Promise<boolean>, what: string | (() => string), timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await check().catch((err) => {
      if (err instanceof Fatal) throw err;
      return false;
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
}
