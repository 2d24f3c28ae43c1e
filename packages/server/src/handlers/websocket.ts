import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CLOSE_CODES, isValidEpoch } from '@qwik-realtime/core/protocol';
import type { ErrorCode, Position, ServerFrame } from '@qwik-realtime/core/protocol';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import { authContextOf, hasExplicitCredential } from '../auth.js';
import type { Principal } from '../auth.js';
import { RealtimeError, toRealtimeError } from '../errors.js';
import { nodeRequestInfo } from '../exchange.js';
import type { HubContext } from '../hub-context.js';
import { createRateLimiter } from '../rate-limit.js';
import { createSession } from '../session.js';
import type { Session, SessionOutput } from '../session.js';

/** WebSocket output: JSON text frames; message frames are shared buffers; writes corked per tick. */
function createWsOutput(ws: WebSocket, socket: Duplex): SessionOutput {
  let corked = false;
  const uncork = () => {
    corked = false;
    if (!socket.destroyed) socket.uncork();
  };
  const cork = () => {
    if (corked) return;
    corked = true;
    socket.cork();
    setImmediate(uncork);
  };
  const send = (frame: ServerFrame) => {
    if (ws.readyState !== ws.OPEN) return;
    cork();
    ws.send(JSON.stringify(frame));
  };
  return {
    hello: send,
    subscribed: send,
    unsubscribed: send,
    message(outbound) {
      if (ws.readyState !== ws.OPEN) return;
      cork();
      ws.send(outbound.wsFrame(), { binary: false });
    },
    ack: send,
    error: (body) => send({ type: 'error', ...body }),
    ping: () => send({ type: 'ping' }),
    pong: () => send({ type: 'pong' }),
    bufferedBytes: () => ws.bufferedAmount,
    close(error) {
      if (error?.code === 'slow_consumer') return ws.terminate();
      if (error) send({ type: 'error', ...error.toBody() });
      // Close reasons are limited to 123 bytes.
      ws.close(error ? CLOSE_CODES[error.code] : 1000, error ? Buffer.from(error.message).subarray(0, 123).toString() : undefined);
    },
  };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isPosition = (value: unknown): value is Position => isObject(value) && isCount(value.offset) && isValidEpoch(value.epoch);

/** Serve WebSocket upgrades for one hub (`attachHub` wires it to an HTTP server). */
export function createWebSocketUpgrade<P extends Principal>(ctx: HubContext<P>) {
  const { options } = ctx;
  // Frames between the frame limit and twice it get our `message_too_large` close; only larger ones hit
  // the ws library's own cap (close 1009) before being buffered.
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes * 2, perMessageDeflate: false, clientTracking: false });

  const refuse = (socket: Duplex, error: RealtimeError) => {
    const body = JSON.stringify(error.toBody());
    socket.end(
      `HTTP/1.1 ${error.status} ${error.code}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };

  const run = (ws: WebSocket, socket: Duplex, req: IncomingMessage, initial: P | null) => {
    const request = nodeRequestInfo(req);
    const output = createWsOutput(ws, socket);
    const limiter = createRateLimiter(options.inboundFramesPerSecond, options.inboundFrameBurst, options.now);
    let refused = 0;
    let queue: Promise<void> = Promise.resolve();
    let session: Session<P> | undefined;
    let authTimer: ReturnType<typeof setTimeout> | undefined;
    const closeWith = (error: RealtimeError) => (session ? session.close(error.code, error.message) : output.close(error));
    const report = (error: unknown, ref?: unknown) => {
      const body = toRealtimeError(error).toBody();
      if (typeof ref === 'string') body.ref = ref;
      if (session) output.error(body);
    };

    const closePending = (code: ErrorCode) => closeWith(new RealtimeError(code, 'closed by the server'));
    if (initial) session = createSession(ctx, 'ws', initial, output);
    else {
      authTimer = setTimeout(() => closeWith(new RealtimeError('unauthorized', 'no auth frame in time')), options.authTimeoutMs);
      ctx.unauthenticated.add(closePending);
    }

    // Liveness: a protocol-level ping (browsers answer it by themselves) every heartbeat; a peer that sent
    // nothing — no frame, no pong — for two heartbeats is gone (half-open TCP) and is dropped.
    let lastSeen = options.now();
    const seen = () => {
      lastSeen = options.now();
    };
    const liveness = setInterval(() => {
      if (options.now() - lastSeen > 2 * options.heartbeatMs) return ws.terminate();
      if (ws.readyState === ws.OPEN) ws.ping();
    }, options.heartbeatMs);
    ws.on('pong', seen);
    ws.on('close', () => {
      clearInterval(liveness);
      if (authTimer) clearTimeout(authTimer);
      ctx.unauthenticated.delete(closePending);
      session?.closed();
    });
    ws.on('error', () => undefined);
    ws.on('message', (raw: RawData, isBinary: boolean) => {
      seen();
      if (!limiter.take()) {
        if (++refused > options.inboundFrameBurst) return closeWith(new RealtimeError('rate_limited', 'too many frames'));
        return report(new RealtimeError('rate_limited', 'too many frames; slow down'));
      }
      refused = 0;
      const size = Array.isArray(raw) ? raw.reduce((sum, part) => sum + part.length, 0) : raw.byteLength;
      if (size > options.maxFrameBytes) return closeWith(new RealtimeError('message_too_large', `frame of ${size} bytes is over the limit of ${options.maxFrameBytes}`));
      if (isBinary) return session ? report(new RealtimeError('bad_request', 'binary frames are not supported')) : closeWith(new RealtimeError('unauthorized', 'expected an auth frame'));
      let frame: unknown;
      try {
        frame = JSON.parse(String(Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw as ArrayBuffer)));
      } catch {
        frame = undefined;
      }
      // Frames are handled one after the other, so `subscribe` then `unsubscribe` (or two publishes) keep
      // their order even when a hook or the broker is slow.
      queue = queue.then(() => handleFrame(frame)).catch((error) => report(error));
    });

    const handleFrame = async (frame: unknown) => {
      if (!isObject(frame) || typeof frame.type !== 'string') {
        if (!session) return closeWith(new RealtimeError('unauthorized', 'expected an auth frame'));
        return report(new RealtimeError('bad_request', 'frames are JSON objects with a string "type"'));
      }
      const ref = typeof frame.ref === 'string' ? frame.ref : undefined;
      if (frame.type === 'auth') {
        if (typeof frame.token !== 'string') return closeWith(new RealtimeError('unauthorized', 'auth frame needs a string token'));
        let principal: P | null;
        try {
          principal = await options.authenticate(authContextOf(request, 'ws', options.allowQueryToken, frame.token));
        } catch (error) {
          options.onError(error);
          principal = null;
        }
        if (!principal) return closeWith(new RealtimeError('unauthorized', 'invalid credentials'));
        if (principal.expiresAt !== undefined && principal.expiresAt <= options.now()) return closeWith(new RealtimeError('token_expired', 'credentials expired'));
        if (authTimer) clearTimeout(authTimer);
        authTimer = undefined;
        ctx.unauthenticated.delete(closePending);
        if (session) session.setPrincipal(principal);
        else if (ws.readyState === ws.OPEN) session = createSession(ctx, 'ws', principal, output);
        return;
      }
      if (!session) return closeWith(new RealtimeError('unauthorized', 'the first frame must be an auth frame'));
      switch (frame.type) {
        case 'subscribe': {
          if ((frame.since !== undefined && !isPosition(frame.since)) || (frame.history !== undefined && !isCount(frame.history))) {
            return report(new RealtimeError('bad_request', 'subscribe: since must be {offset, epoch}, history a count'), ref);
          }
          const request = frame.since ? { since: frame.since as Position } : frame.history !== undefined ? { history: frame.history as number } : {};
          return session.subscribe(frame.topic, ref === undefined ? request : { ...request, ref });
        }
        case 'unsubscribe':
          return session.unsubscribe(frame.topic, ref);
        case 'publish':
          if (ref === undefined) return report(new RealtimeError('bad_request', 'publish needs a string ref'));
          return session.publish({ topic: frame.topic as string, data: frame.data, id: frame.id as string | undefined, ref });
        case 'ping':
          return output.pong();
        case 'pong':
          return;
        default:
          return report(new RealtimeError('unknown_frame', `unknown frame type ${JSON.stringify(frame.type).slice(0, 60)}`), ref);
      }
    };
  };

  return {
    /** Handle an `upgrade` already known to be ours. */
    async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
      socket.on('error', () => undefined);
      const request = nodeRequestInfo(req);
      let principal: P | null = null;
      try {
        if (ctx.closing) throw new RealtimeError('server_shutdown', 'the hub is closing');
        principal = await options.authenticate(authContextOf(request, 'ws', options.allowQueryToken));
        if (!principal && hasExplicitCredential(request, options.allowQueryToken)) throw new RealtimeError('unauthorized', 'invalid credentials');
        if (principal?.expiresAt !== undefined && principal.expiresAt <= options.now()) throw new RealtimeError('token_expired', 'credentials expired');
      } catch (error) {
        const realtime = toRealtimeError(error);
        if (realtime.code === 'internal') options.onError(error);
        return refuse(socket, realtime);
      }
      if (socket.destroyed) return;
      wss.handleUpgrade(req, socket, head, (ws) => run(ws, socket, req, principal));
    },
    close() {
      wss.close();
    },
  };
}
