/**
 * The WebSocket client sends its subscribes as soon as the socket opens (right behind the auth frame), not
 * after `hello`: a reconnect then costs one round trip less, which is what a storm's p99 is made of. The hub
 * handles a connection's frames in order, so a subscribe behind an auth frame waits for the session.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { WebSocket } from 'ws';
import type { RealtimeClient } from '@qwik-realtime/core';
import { fastClient, startClientHub } from './client-fixtures.js';
import type { ClientTestHub } from './client-fixtures.js';
import { helloFrame, startHostileServer } from './hardening-hostile-server.js';
import type { HostileServer } from './hardening-hostile-server.js';

const until = async (ok: () => boolean, what: string, ms = 5000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

let server: HostileServer | undefined;
let hub: ClientTestHub | undefined;
let client: RealtimeClient | undefined;
afterEach(async () => {
  client?.close();
  await server?.close();
  await hub?.close();
  client = server = hub = undefined;
});

describe('WebSocket subscribes do not wait for hello', () => {
  test.each([
    ['without a token', undefined, ['subscribe:a', 'subscribe:b']],
    ['behind the auth frame', 'tok', ['auth', 'subscribe:a', 'subscribe:b']],
  ])('%s: the frames reach a server that has not said hello yet', async (_name, token, expected) => {
    const frames: string[] = [];
    let socket: WebSocket | undefined;
    server = await startHostileServer({
      ws(ws) {
        socket = ws;
        ws.on('message', (raw) => {
          const frame = JSON.parse(String(raw)) as { type: string; topic?: string };
          frames.push(frame.topic ? `${frame.type}:${frame.topic}` : frame.type);
        });
      },
    });
    client = fastClient('websocket', server.url, token ? { getToken: () => token } : {});
    client.subscribe('a', {});
    client.subscribe('b', {});
    await until(() => frames.length === expected.length, 'the pipelined frames');
    expect(frames).toEqual(expected);
    expect(client.getState().status).toBe('connecting');
    // The session opens on hello as before, and nothing is sent twice.
    socket!.send(JSON.stringify(helloFrame()));
    await until(() => client!.getState().status === 'open', 'open');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(frames).toEqual(expected);
  });

  test('a real hub with a slow authenticate answers the pipelined subscribe after the auth frame', async () => {
    hub = await startClientHub({
      heartbeatMs: 2000,
      authenticate: async ({ token }) => {
        if (!token) return null;
        await new Promise((resolve) => setTimeout(resolve, 100));
        return token === 'good' ? { id: 'u' } : null;
      },
    });
    const errors: string[] = [];
    const got: number[] = [];
    client = fastClient('websocket', hub.url, { getToken: () => 'good' });
    let subscribed = 0;
    client.subscribe<number>('t', { onSubscribed: () => subscribed++, onMessage: (m) => got.push(m.data), onError: (e) => errors.push(e.code) });
    await until(() => subscribed === 1, 'subscribed');
    await hub.hub.publish('t', 1);
    await until(() => got.length === 1, 'the message');
    expect(got).toEqual([1]);
    expect(errors).toEqual([]);
    expect(hub.hub.stats().connections.ws).toBe(1);
  });

  test('a refused token closes once with unauthorized; the pipelined subscribe leaves no dead letter', async () => {
    const letters: string[] = [];
    hub = await startClientHub({
      heartbeatMs: 2000,
      authenticate: ({ token }) => (token === 'good' ? { id: 'u' } : null),
      onDeadLetter: (letter) => void letters.push(letter.reason),
    });
    client = fastClient('websocket', hub.url, { getToken: () => 'bad' });
    client.subscribe('t', {});
    await until(() => client!.getState().status === 'closed', 'closed');
    expect(client.getState().error).toMatchObject({ code: 'unauthorized', retry: 'no_retry' });
    expect(letters).toEqual([]);
    expect(hub.hub.stats().connections.ws).toBe(0);
  });
});
