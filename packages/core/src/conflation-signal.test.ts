import { describe, expect, it } from 'vitest';
import { createTestClient } from './testing/index.js';
import type { ConflationEvent } from './types.js';

describe('onConflated', () => {
  it('GIVEN a conflated topic WHEN the server drops messages for this connection THEN each listener is told how many, before the message that replaced them', async () => {
    const { client, server } = createTestClient({ teardownDelayMs: 0 });
    const seen: string[] = [];
    const events: ConflationEvent[] = [];
    client.subscribe<number>('prices:BTC', {
      onConflated: (event) => {
        events.push(event);
        seen.push(`dropped ${event.dropped}`);
      },
      onBatch: (messages) => seen.push(...messages.map((message) => `#${message.offset}`)),
    });
    const other: ConflationEvent[] = [];
    client.subscribe('prices:BTC', { onConflated: (event) => other.push(event) });
    await server.flush();
    server.publish('prices:BTC', 1);
    await server.flush();
    const epoch = server.publish('prices:BTC', 5, { conflated: 3 }).epoch;
    await server.flush();
    expect(events).toEqual([{ topic: 'prices:BTC', dropped: 3, position: { offset: 5, epoch } }]);
    expect(other).toEqual(events);
    expect(seen).toEqual(['#1', 'dropped 3', '#5']);
    client.close();
  });

  it('GIVEN messages that were not conflated THEN onConflated is never called', async () => {
    const { client, server } = createTestClient({ teardownDelayMs: 0 });
    const events: ConflationEvent[] = [];
    client.subscribe('news', { onConflated: (event) => events.push(event) });
    await server.flush();
    for (let i = 0; i < 5; i++) server.publish('news', i);
    await server.flush();
    expect(events).toEqual([]);
    client.close();
  });
});
