import { afterEach, describe, expect, test } from 'vitest';
import { createBaseClient } from '@qwik-realtime/core';
import type { RealtimeClient } from '@qwik-realtime/core';
import { nodePlatform, startClientHub, transportNames, transportsByName, until } from './client-fixtures.js';
import type { ClientTestHub } from './client-fixtures.js';
import { seededRandom as seeded } from '@qwik-realtime/core/testing';


const DROPS = 200;

let hub: ClientTestHub | undefined;
let client: RealtimeClient | undefined;
afterEach(async () => {
  client?.close();
  await hub?.close();
});

describe.each(transportNames)('chaos over %s', (name) => {
  test(`${DROPS} random forced drops during a steady stream: every message exactly once, in order`, { timeout: 120_000 }, async () => {
    const seed = 1000 + transportNames.indexOf(name);
    const random = seeded(seed);
    hub = await startClientHub({ heartbeatMs: 2000 });
    let opens = 0;
    let closes = 0;
    client = createBaseClient({
      url: hub.url,
      transports: [transportsByName[name]()],
      platform: nodePlatform,
      backoff: { baseMs: 5, capMs: 20 },
      minUptimeMs: 5,
      debug: (event) => {
        if (event === 'open') opens++;
        if (event === 'closed') closes++;
      },
    });
    const seen: number[] = [];
    const other: number[] = [];
    const subscribed = new Set<string>();
    client.subscribe<number>('chaos', { onMessage: (m) => seen.push(m.data), onSubscribed: (e) => subscribed.add(e.topic) });
    client.subscribe<number>('chaos/other', {
      onBatch: (batch) => other.push(...batch.map((m) => m.data)),
      onSubscribed: (e) => subscribed.add(e.topic),
    });
    const c = client;
    await until(() => c.getState().status === 'open', 'first open');
    // A fresh subscription starts at the head: publish only once the server confirmed both topics.
    await until(() => subscribed.size === 2, 'both topics subscribed');

    let published = 0;
    let drops = 0;
    let cuts = 0;
    let graceful = 0;
    // Count only drops the client really suffered (its own `closed` events), not server-side actions.
    while (closes < DROPS) {
      const burst = 1 + Math.floor(random() * 8);
      for (let i = 0; i < burst; i++) {
        published++;
        await hub.hub.publish('chaos', published);
        if (published % 3 === 0) await hub.hub.publish('chaos/other', published);
        // A steady stream: let the sockets move between messages.
        await new Promise((resolve) => setImmediate(resolve));
      }
      // Drop at random moments: sometimes right after (re)opening, mid-replay, or mid-stream.
      if (random() < 0.5) await until(() => c.getState().status === 'open', `open before drop ${drops}`);
      if (name !== 'long-poll' && random() < 0.3) {
        const n = hub.hub.disconnectAll('disconnected');
        if (n > 0) {
          graceful++;
          drops++;
        }
      } else {
        const n = hub.cut();
        if (n > 0) {
          cuts++;
          drops++;
        }
      }
    }
    const expected = Array.from({ length: published }, (_, i) => i + 1);
    await until(() => seen.length >= published, `all ${published} messages (have ${seen.length})`, 30_000);
    await until(() => other.length >= Math.floor(published / 3), 'all messages of the second topic', 30_000);
    console.log(
      `[chaos] ${name}: ${closes} drops seen by the client (${cuts} socket cuts, ${graceful} server disconnects forced), ${opens} opens, ` +
        `${published} + ${other.length} messages published, ${seen.length} + ${other.length} received, seed ${seed}`,
    );
    expect(seen).toEqual(expected);
    expect(other).toEqual(expected.filter((n) => n % 3 === 0));
    expect(closes).toBeGreaterThanOrEqual(DROPS);
    expect(drops).toBeGreaterThanOrEqual(DROPS);
  });
});
