// Closing what the web app's build services opened in a test file (the build queue and its
// producer connection) and forgetting them. Imported late, like the services themselves, so a
// test sets DATABASE_URL and REDIS_URL first.
export async function closeBuildDeps(): Promise<void> {
  const { buildDeps, setBuildDeps } = await import('../../src/server/builds/deps');
  const deps = await buildDeps();
  await deps.queue.close().catch(() => undefined);
  deps.redis.disconnect();
  setBuildDeps(undefined);
}
