// Event streams share one subscriber connection: measured on a real redis-server with CLIENT LIST.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, waitFor, type RedisServer } from '@oscompose/queue/testing';
import { channelsFor } from './channels';

let server: RedisServer;
let admin: Redis;
const opened: Redis[] = [];

beforeAll(async () => {
  server = await startRedis();
  admin = new Redis(server.url);
});
afterAll(async () => {
  for (const c of opened) c.disconnect();
  admin.disconnect();
  await server.stop();
});

const subscribers = async () => String(await admin.client('LIST')).split('\n').filter((l) => / sub=[1-9]/.test(l)).length;
const numsub = async (channel: string) => Number(((await admin.pubsub('NUMSUB', channel)) as [string, number])[1]);

describe('build event channels', () => {
  it('serve many streams over one connection, each its own channel, until the last one leaves', async () => {
    const connect = () => {
      const c = new Redis(server.url, { maxRetriesPerRequest: null });
      opened.push(c);
      return c;
    };
    const channels = channelsFor(connect);
    expect(channelsFor(connect)).toBe(channels);
    const got: Record<string, string[]> = { a1: [], a2: [], b: [] };
    const stops = await Promise.all([
      channels.listen('build:a', (t) => got.a1!.push(t)),
      channels.listen('build:a', (t) => got.a2!.push(t)),
      channels.listen('build:b', (t) => got.b!.push(t)),
    ]);
    expect(opened).toHaveLength(1);
    expect(await subscribers()).toBe(1);

    await admin.publish('build:a', 'one');
    await admin.publish('build:b', 'two');
    await waitFor(async () => got.a1!.length === 1 && got.a2!.length === 1 && got.b!.length === 1, 'both channels delivered');
    expect(got).toEqual({ a1: ['one'], a2: ['one'], b: ['two'] });

    stops[0]!();
    await admin.publish('build:a', 'three');
    await waitFor(async () => got.a2!.length === 2, 'the remaining listener still hears build:a');
    expect(got.a1).toEqual(['one']);
    expect(await numsub('build:a')).toBe(1);

    stops[1]!();
    stops[2]!();
    await waitFor(async () => (await numsub('build:a')) === 0 && (await numsub('build:b')) === 0, 'both channels unsubscribed');
    // a later stream subscribes again on the same connection
    const again: string[] = [];
    const stop = await channels.listen('build:a', (t) => again.push(t));
    await admin.publish('build:a', 'four');
    await waitFor(async () => again.length === 1, 'a new stream hears build:a');
    stop();
    expect(opened).toHaveLength(1);
  });
});
