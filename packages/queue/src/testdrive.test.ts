// The testdrive job payload, and the console streams on a real (private) redis-server: what one
// side writes the other reads in order, under the installation's prefix, with the viewer beat.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducerConnection, createTestdriveQueue, enqueueTestdrive, JobPayloadError, parseTestdriveJob } from './index';
import { beatTestdriveViewer, readTestdriveOutput, sendTestdriveInput, testdriveJobOptions, testdriveKeys } from './testdrive';
import { startRedis, type RedisServer } from './testing';

let server: RedisServer;
let redis: ReturnType<typeof createProducerConnection>;
const prefix = 'tdtest';

beforeAll(async () => {
  server = await startRedis();
  redis = createProducerConnection(server.url);
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

describe('testdrive job payload', () => {
  it('accepts { testdriveId } and rejects anything else naming the problem', () => {
    expect(parseTestdriveJob({ testdriveId: 't1' })).toEqual({ testdriveId: 't1' });
    expect(() => parseTestdriveJob({ testdriveId: '' })).toThrow(JobPayloadError);
    expect(() => parseTestdriveJob({ testdriveId: 't', spec: 'x' })).toThrow('expected { testdriveId: string, installation?: string }');
  });

  it('is queued once per testdrive and never retried', async () => {
    expect(testdriveJobOptions('t1')).toMatchObject({ jobId: 't1', attempts: 1 });
    const queue = createTestdriveQueue(redis, { prefix });
    await enqueueTestdrive(queue, { testdriveId: 'td-1' });
    await enqueueTestdrive(queue, { testdriveId: 'td-1' });
    expect(await queue.getJobCounts('wait')).toEqual({ wait: 1 });
    expect(await redis.keys('testdrives*')).toEqual([]); // only under the prefix
    await queue.close();
  });
});

describe('testdrive console streams', () => {
  it('names every key under the prefix', () => {
    const k = testdriveKeys('p1', 'abc');
    for (const v of Object.values(k)) expect(v.startsWith('p1:testdrive:abc:')).toBe(true);
  });

  it('input arrives in order, keystrokes and controls apart', async () => {
    await sendTestdriveInput(redis, prefix, 'x', { data: 'uname -r\r' });
    await sendTestdriveInput(redis, prefix, 'x', { control: 'stop' });
    const entries = (await redis.xrange(testdriveKeys(prefix, 'x').input, '-', '+')).map(([, f]) => f);
    expect(entries).toEqual([['d', 'uname -r\r'], ['c', 'stop']]);
    expect(await redis.ttl(testdriveKeys(prefix, 'x').input)).toBeGreaterThan(0);
  });

  it('output is read after a given id, waits for new entries, and ends with the end entry', async () => {
    const key = testdriveKeys(prefix, 'y').output;
    await redis.xadd(key, '*', 'd', 'hello ');
    const first = await readTestdriveOutput(redis, prefix, 'y', '0', 100);
    expect(first).toMatchObject([{ data: 'hello ' }]);
    const reader = createProducerConnection(server.url, { maxRetriesPerRequest: null });
    const later = readTestdriveOutput(reader, prefix, 'y', first[0]!.id, 5000);
    await redis.xadd(key, '*', 'd', 'world');
    await redis.xadd(key, '*', 'end', 'user');
    const got = await later;
    expect(got[0]).toMatchObject({ data: 'world' });
    const rest = got.length > 1 ? got.slice(1) : await readTestdriveOutput(reader, prefix, 'y', got[0]!.id, 100);
    expect(rest).toMatchObject([{ end: 'user' }]);
    reader.disconnect();
  });

  it('a viewer beat expires by itself', async () => {
    await beatTestdriveViewer(redis, prefix, 'z', 200);
    expect(await redis.exists(testdriveKeys(prefix, 'z').viewer)).toBe(1);
    await new Promise((r) => setTimeout(r, 400));
    expect(await redis.exists(testdriveKeys(prefix, 'z').viewer)).toBe(0);
  });
});
