/**
 * Present a token on each way into the hub (SSE, long-poll, HTTP publish, WebSocket upgrade with a bearer
 * header, WebSocket auth frame) and read what the client is told: the error code, with the HTTP status or the
 * close code. Shared by the auth hardening suites.
 */
import { CLOSE_CODES } from '@qwik-realtime/core/protocol';
import type { ErrorCode } from '@qwik-realtime/core/protocol';
import { openSse } from './sse.js';
import { openWs } from './ws.js';
import { publishHttp } from './publish.js';

/** What presenting a token ended in (`code` undefined: accepted). */
export interface AuthOutcome {
  code: ErrorCode | undefined;
  status?: number;
  closeCode?: number;
}

/** `[name, present(server, token)]` for each way in. */
export const authPresenters: [string, (server: { base: string; wsUrl: string }, token: string) => Promise<AuthOutcome>][] = [

  [
    'sse',
    async (server, token) => {
      const stream = await openSse(`${server.base}/sse?topic=a`, { headers: { authorization: `Bearer ${token}` } });
      const response = await fetch(`${server.base}/sse?topic=a`, { headers: { authorization: `Bearer ${token}` } });
      const body = response.status === 200 ? undefined : await response.json();
      stream.close();
      return { code: body?.code, status: response.status };
    },
  ],
  [
    'poll',
    async (server, token) => {
      const response = await fetch(`${server.base}/poll?topic=a&timeout=0`, { headers: { authorization: `Bearer ${token}` } });
      const body = await response.json();
      return { code: body.code, status: response.status };
    },
  ],
  [
    'publish',
    async (server, token) => {
      const { status, body } = await publishHttp(server.base, { topic: 'a', data: 1 }, { authorization: `Bearer ${token}` });
      return { code: body.code, status };
    },
  ],
  [
    'ws upgrade (bearer header)',
    async (server, token) => {
      try {
        const client = await openWs(server.wsUrl, { headers: { authorization: `Bearer ${token}` } });
        client.close();
        return { code: undefined };
      } catch (error) {
        const status = (error as { status: number }).status;
        return { code: status === 500 ? 'internal' : status === 401 ? 'unauthorized' : undefined, status };
      }
    },
  ],
  [
    'ws auth frame',
    async (server, token) => {
      const client = await openWs(server.wsUrl);
      client.send({ type: 'auth', token });
      const outcome = await Promise.race([client.closed, client.frames.next((f) => f.type === 'hello').then(() => undefined)]);
      client.socket.terminate();
      const code = outcome && (Object.entries(CLOSE_CODES).find(([, value]) => value === outcome.code)?.[0] as ErrorCode | undefined);
      return { code, closeCode: outcome?.code };
    },
  ],
];
