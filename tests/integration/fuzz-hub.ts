/**
 * The one hub the fuzz suite attacks: `createHub` + `createNodeHandler` + `attachHub` on a plain
 * `http.createServer` (the documented setup), on 127.0.0.1:0, with token auth so the WebSocket `auth`
 * frame path is reachable:
 * - `good` (header, query, cookie-less) is a user; `throw` makes `authenticate` throw; `expired` is a user
 *   whose credentials already expired; anything else, or no token, is refused.
 * Limits are small (messages of 2 KiB) so oversized inputs are cheap, and inbound rates are high so the
 * fuzzer exercises parsing rather than the rate limiter (which has its own tests).
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { attachHub, createHub, createNodeHandler } from '@qwik-realtime/server';
import type { AuthContext, Hub } from '@qwik-realtime/server';

/** The principal of the fuzz hub. */
export interface FuzzUser {
  user: string;
  expiresAt?: number;
}

/** Tokens the fuzz hub knows (see the file header). */
export const TOKENS = { good: 'good', throws: 'throw', expired: 'expired' } as const;

/** The topic the honest subscribers follow; generators never produce it. */
export const HONEST_TOPIC = 'honest/seq';

export const FUZZ_LIMITS = {
  heartbeatMs: 5000,
  pollTimeoutMs: 300,
  maxMessageBytes: 2048,
  maxTopicsPerConnection: 16,
} as const;

/** The running fuzz hub. */
export interface FuzzHub {
  hub: Hub<FuzzUser>;
  port: number;
  /** `http://127.0.0.1:PORT/realtime` */
  url: string;
  /** Errors the hub reported through `onError` (expected only for the throwing token). */
  hubErrors: unknown[];
  close(): Promise<void>;
}

function authenticate({ token }: AuthContext): FuzzUser | null {
  if (token === TOKENS.good) return { user: 'fuzz' };
  if (token === TOKENS.throws) throw new Error('fuzz: authenticate throws on purpose');
  if (token === TOKENS.expired) return { user: 'late', expiresAt: 1 };
  return null;
}

/** Start the fuzz hub. */
export async function startFuzzHub(): Promise<FuzzHub> {
  const hubErrors: unknown[] = [];
  const hub = createHub<FuzzUser>({
    heartbeatMs: FUZZ_LIMITS.heartbeatMs,
    pollTimeoutMs: FUZZ_LIMITS.pollTimeoutMs,
    maxMessageBytes: FUZZ_LIMITS.maxMessageBytes,
    maxTopicsPerConnection: FUZZ_LIMITS.maxTopicsPerConnection,
    authenticate,
    allowQueryToken: true,
    inboundFramesPerSecond: 100_000,
    inboundFrameBurst: 100_000,
    topicLingerMs: 0,
    onError: (error) => hubErrors.push(error),
  });
  const server = createServer(createNodeHandler(hub));
  const detach = attachHub(server, hub, { refuseOtherUpgrades: true });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    hub,
    port,
    url: `http://127.0.0.1:${port}${hub.options.path}`,
    hubErrors,
    async close() {
      await hub.close();
      detach();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
