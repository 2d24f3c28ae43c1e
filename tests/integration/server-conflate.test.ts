import WebSocket from 'ws';
import { createMemoryBroker } from '@qwik-realtime/server';
import { afterEach, expect, test } from 'vitest';
import { startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';

let server: TestHubServer;
const clients: WebSocket[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.terminate();
  await server?.close();
});

interface Received {
  offset: number;
  conflated?: number;
}

/** Message envelopes in one WebSocket payload: one frame, an array of frames, or newline-delimited frames. */
function messagesOf(data: string): Received[] {
  const frames: unknown[] = [];
  for (const line of data.split('\n')) {
    if (!line.trim()) continue;
    const parsed = JSON.parse(line) as unknown;
    if (Array.isArray(parsed)) frames.push(...parsed);
    else frames.push(parsed);
  }
  return frames.filter((frame): frame is Received & { type: string } => (frame as { type?: string }).type === 'message');
}

const LIMIT = 256 * 1024;
const PUBLISHED = 1500;
const payload = 'x'.repeat(32 * 1024);

test.each([
  ['a conflated topic', 'it is never cut and gets the latest, with the count of dropped ones', 'prices:BTC', true],
  ['any other topic', 'it is cut with slow_consumer', 'feed', false],
] as const)('GIVEN a WebSocket client that stops reading WHEN %s gets far more than maxBufferedBytes THEN %s', async (_label, _outcome, topic, conflated) => {
  server = await startHubServer({ maxBufferedBytes: LIMIT, conflate: (name) => name.startsWith('prices:'), broker: createMemoryBroker({ historySize: 10 }) });
  const client = new WebSocket(server.wsUrl);
  clients.push(client);
  const received: Received[] = [];
  let subscribed!: () => void;
  const isSubscribed = new Promise<void>((resolve) => (subscribed = resolve));
  client.on('message', (data) => {
    const text = String(data);
    if (text.includes('"type":"subscribed"')) subscribed();
    received.push(...messagesOf(text));
  });
  await new Promise((resolve) => client.once('open', resolve));
  client.send(JSON.stringify({ type: 'subscribe', topic }));
  await isSubscribed;
  // Stop reading: the kernel buffers fill, then the hub's own buffer.
  (client as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
  const [session] = server.hub.sessions();
  const alive = () => server.hub.sessions().includes(session!);
  let last = 0;
  for (let i = 0; i < PUBLISHED && alive(); i++) last = (await server.hub.publish(topic, payload)).offset;

  if (!conflated) {
    // The rule for every other topic: cut, resumed from history by the client.
    expect(alive()).toBe(false);
    expect(server.hub.stats().disconnects).toEqual({ slow_consumer: 1 });
    return;
  }
  expect(alive()).toBe(true);
  expect(server.hub.stats().disconnects).toEqual({});
  (client as unknown as { _socket: { resume(): void } })._socket.resume();
  await expect.poll(() => received.at(-1)?.offset, { timeout: 20_000 }).toBe(last);
  const offsets = received.map((message) => message.offset);
  expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  // Every published message either arrived or was counted in the `conflated` of the one that replaced it.
  expect(received.reduce((sum, message) => sum + 1 + (message.conflated ?? 0), 0)).toBe(PUBLISHED);
  expect(received.length).toBeLessThan(PUBLISHED);
  for (const [index, message] of received.entries()) {
    const previous = index === 0 ? 0 : received[index - 1]!.offset;
    expect(message.offset - previous).toBe(1 + (message.conflated ?? 0));
  }
}, 60_000);
