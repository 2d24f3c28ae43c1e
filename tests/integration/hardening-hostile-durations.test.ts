/**
 * The core client against a hostile server announcing absurd durations (`heartbeatMs`, `retryAfterMs`,
 * `Retry-After`, `reconnectWithinMs`), on every transport: none becomes a timer past what the platform holds
 * (Node and browsers fire such a timer at once: a watchdog or reconnect loop), and the hint is honoured up to
 * the cap. The other hostile-server cases are in hardening-hostile-server.test.ts.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { createBaseClient } from '@qwik-realtime/core';
import type { ConnectionState, RealtimeClient, TransportName } from '@qwik-realtime/core';
import { transportNames, transportsByName, until } from './client-fixtures.js';
import { closeOpened, familyOf, helloFrame, jsonAnswer, recordingPlatform, sseEvents, startHostileServer } from './hardening-hostile-server.js';
import type { HostileScript, HostileServer } from './hardening-hostile-server.js';

/** The longest delay `setTimeout` holds (2^31 - 1 ms); longer ones fire after 1 ms. */
const TIMER_MAX = 2 ** 31 - 1;
/** Longest server-announced duration the client honours (docs/protocol.md, "Announced durations"). */
const ANNOUNCED_MAX = 300_000;

let server: HostileServer | undefined;
let client: RealtimeClient | undefined;
afterEach(async () => {
  await closeOpened({ client, server });
  client = server = undefined;
});

/** A client on one transport that records every timer delay it asks for; randomness pinned to 0.5. */
function recordingClient(name: TransportName, url: string) {
  const { platform, delays } = recordingPlatform();
  client = createBaseClient({ url, transports: [transportsByName[name]()], platform });
  return { client, delays };
}

const errorBody = (retryAfterMs: string) => `{"code":"broker_unavailable","message":"hostile","retryAfterMs":${retryAfterMs}}`;
const wsError = (retryAfterMs: string) => `{"type":"error","code":"broker_unavailable","message":"hostile","retryAfterMs":${retryAfterMs}}`;

/** Scripts that announce an absurd duration; `retry` rows end the attempt, so the client schedules a reconnect. */
const absurd: { what: string; retry: boolean; families: ('ws' | 'sse' | 'poll')[]; script: HostileScript }[] = [
  {
    what: 'heartbeatMs 1e12 in hello',
    retry: false,
    families: ['ws', 'sse', 'poll'],
    script: {
      ws: (socket) => socket.send(JSON.stringify(helloFrame(1e12))),
      sse: (res) => sseEvents(res, [['hello', helloFrame(1e12)]]),
      poll: (res, _n, first) => first && jsonAnswer(res, 200, { cursor: 'c', messages: [], heartbeatMs: 1e12, more: false }),
    },
  },
  ...['1e12', '1e400'].map((ms) => ({
    what: `retryAfterMs ${ms} in an error`,
    retry: true,
    families: ['ws', 'sse', 'poll'] as ('ws' | 'sse' | 'poll')[],
    script: {
      ws: (socket) => {
        socket.send(wsError(ms));
        socket.close(3202);
      },
      sse: (res) => jsonAnswer(res, 503, errorBody(ms)),
      poll: (res) => jsonAnswer(res, 503, errorBody(ms)),
    } satisfies HostileScript,
  })),
  {
    what: 'Retry-After: 1e9 seconds',
    retry: true,
    families: ['sse', 'poll'],
    script: {
      sse: (res) => jsonAnswer(res, 503, 'not json', { 'retry-after': '1000000000' }),
      poll: (res) => jsonAnswer(res, 503, 'not json', { 'retry-after': '1000000000' }),
    },
  },
  {
    what: 'reconnectWithinMs 1e12 in a drain announcement',
    retry: true,
    families: ['ws', 'sse', 'poll'],
    script: {
      ws: (socket) => {
        socket.send(JSON.stringify(helloFrame()));
        socket.send('{"type":"reconnect","reconnectWithinMs":1e12}');
        socket.close(3001);
      },
      sse: (res) => {
        sseEvents(res, [['hello', helloFrame()], ['reconnect', '{"reconnectWithinMs":1e12}'], ['error', { code: 'server_shutdown', message: 'draining' }]]);
        res.end();
      },
      poll: (res) => jsonAnswer(res, 200, '{"cursor":"c","messages":[],"heartbeatMs":15000,"more":false,"reconnectWithinMs":1e12}'),
    },
  },
];

describe('GIVEN a server announcing absurd durations', () => {
  const rows = absurd.flatMap((row) => transportNames.filter((name) => row.families.includes(familyOf(name))).map((name) => ({ ...row, name })));
  test.each(rows)('WHEN it says $what over $name THEN no timer goes past what the platform holds and the hint is honoured up to the cap', async ({ name, script, retry }) => {
    server = await startHostileServer(script);
    const { client, delays } = recordingClient(name, server.url);
    client.subscribe('t', {});
    let state: ConnectionState = client.getState();
    client.onState((next) => (state = next));
    if (!retry) await until(() => state.status === 'open', 'the hostile session to open');
    else await until(() => state.status === 'reconnecting' && state.nextRetryAt !== null, 'a scheduled reconnect');
    expect(Math.max(...delays)).toBeLessThanOrEqual(TIMER_MAX);
    if (retry) {
      // Random is 0.5: a hint capped at 5 min waits 450 s (hint + half its width), a window 150 s.
      const wait = (state.nextRetryAt as number) - Date.now();
      expect(wait).toBeGreaterThan(ANNOUNCED_MAX / 3);
      expect(wait).toBeLessThanOrEqual(2 * ANNOUNCED_MAX);
      expect(server.attempts()).toBe(1);
    }
  });
});
