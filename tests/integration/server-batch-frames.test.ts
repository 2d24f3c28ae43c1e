import { WebSocket } from 'ws';
import { afterEach, describe, expect, test } from 'vitest';
import { createBaseClient } from '@qwik-realtime/core';
import type { RealtimeClient } from '@qwik-realtime/core';
import { startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';
import { nodePlatform, startClientHub, transportsByName, until } from './client-fixtures.js';
import type { ClientTestHub } from './client-fixtures.js';

/** Fewer, bigger frames (docs/protocol.md, "Batch frames"): a turn's frames for one connection leave as one. */

let server: TestHubServer | undefined;
let hub: ClientTestHub | undefined;
let client: RealtimeClient | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
  await hub?.close();
  hub = undefined;
});

const BURST = 50;

/** A raw `ws` client keeping every WebSocket message as text, unparsed. */
async function rawWs(url: string) {
  const socket = new WebSocket(url);
  sockets.push(socket);
  const texts: string[] = [];
  socket.on('message', (data) => texts.push(String(data)));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const frames = () => texts.flatMap((text) => text.split('\n').map((line) => JSON.parse(line)));
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 500 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(done()).toBe(true);
  };
  return { socket, texts, frames, until };
}

async function burstTo(url: string) {
  const ws = await rawWs(url);
  ws.socket.send(JSON.stringify({ type: 'subscribe', topic: 'burst' }));
  await ws.until(() => ws.frames().some((f) => f.type === 'subscribed'));
  const before = ws.texts.length;
  // Published in one turn: the hub fans them out before its writes are flushed.
  await Promise.all(Array.from({ length: BURST }, (_, i) => server!.hub.publish('burst', i)));
  await ws.until(() => ws.frames().filter((f) => f.type === 'message').length === BURST);
  const messages = ws.frames().filter((f) => f.type === 'message');
  return { messages, websocketMessages: ws.texts.length - before, texts: ws.texts.slice(before) };
}

describe('WebSocket batch frames', () => {
  test('GIVEN a client that asked for ?batch=1 WHEN a burst is published in one turn THEN it arrives as newline-delimited batch frames, every message once and in order', async () => {
    server = await startHubServer();
    const { messages, websocketMessages, texts } = await burstTo(`${server.wsUrl}?batch=1`);
    expect(messages.map((m) => m.data)).toEqual(Array.from({ length: BURST }, (_, i) => i));
    expect(messages.map((m) => m.offset)).toEqual(Array.from({ length: BURST }, (_, i) => i + 1));
    expect(websocketMessages).toBeLessThan(BURST);
    expect(texts.some((text) => text.split('\n').length > 1)).toBe(true);
  });

  test('GIVEN a client that did not ask WHEN a burst is published THEN every frame is one JSON object (no batches)', async () => {
    server = await startHubServer();
    const { messages, texts } = await burstTo(server.wsUrl);
    expect(messages.map((m) => m.data)).toEqual(Array.from({ length: BURST }, (_, i) => i));
    expect(texts.every((text) => !text.includes('\n'))).toBe(true);
  });

  test('GIVEN the core WebSocket client WHEN a burst arrives in batch frames THEN every message reaches onBatch in order, in fewer batches than messages', async () => {
    hub = await startClientHub({ heartbeatMs: 2000 });
    client = createBaseClient({ url: hub.url, transports: [transportsByName.websocket()], platform: nodePlatform, teardownDelayMs: 0 });
    const batches: number[][] = [];
    let subscribed = false;
    client.subscribe<number>('burst', { onBatch: (batch) => batches.push(batch.map((m) => m.data)), onSubscribed: () => (subscribed = true) });
    await until(() => subscribed, 'subscribed');
    await Promise.all(Array.from({ length: BURST }, (_, i) => hub!.hub.publish('burst', i)));
    await until(() => batches.flat().length === BURST, 'all messages');
    expect(batches.flat()).toEqual(Array.from({ length: BURST }, (_, i) => i));
    expect(batches.length).toBeLessThan(BURST);
  });
});
