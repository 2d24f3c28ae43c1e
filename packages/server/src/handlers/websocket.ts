import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CLOSE_CODES, retryPolicyOf } from '@qwik-realtime/core/protocol';
import type { ErrorCode, Position } from '@qwik-realtime/core/protocol';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import { authContextOf, hasExplicitCredential } from '../auth.js';
import type { Principal, RequestInfo } from '../auth.js';
import { RealtimeError, toRealtimeError } from '../errors.js';
import { nodeRequestInfo } from '../exchange.js';
import type { HubContext } from '../hub-context.js';
import { createRateLimiter } from '../rate-limit.js';
import { createSession } from '../session.js';
import type { Session } from '../session.js';
import { createWsOutput } from '../ws-output.js';
import { isCount, isObject, isPosition, MAX_HISTORY, parseFrame, rawHead, urlSubscribes } from './ws-inbound-frame.js';

/** Upgrade refusals answered with an accepted socket, an `error` frame and the close code (see `closeAfterAccept`). */
const CLOSE_AFTER_ACCEPT: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['try_again_later', 'server_shutdown']);

/** Most `rate_limited` error frames sent per second to one connection; further refused frames get none. */
const MAX_RATE_LIMITED_REPLIES_PER_SECOND = 10;

/** Serve WebSocket upgrades for one hub (`attachHub` wires it to an HTTP server). */
export function createWebSocketUpgrade<P extends Principal>(ctx: HubContext<P>) {
  const { options } = ctx;
  // Frames between the frame limit and twice it get our `message_too_large` close; only larger ones hit
  // the ws library's own cap (close 1009) before being buffered.
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes * 2, perMessageDeflate: false, clientTracking: false });

  /** Answer a refused upgrade with its status and `ErrorBody` (never throws; `internal` errors are logged). */
  const refuse = (socket: Duplex, error: unknown) => {
    const realtime = toRealtimeError(error);
    if (realtime.code === 'internal') options.onError(error);
    try {
      if (socket.destroyed || !socket.writable) return void socket.destroy();
      const body = JSON.stringify(realtime.toBody());
      const retryAfter = retryPolicyOf(realtime.code) === 'retry_backoff' ? 'Retry-After: 1\r\n' : '';
      socket.end(
        `HTTP/1.1 ${realtime.status} ${realtime.code}\r\nConnection: close\r\nContent-Type: application/json\r\n${retryAfter}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    } catch {
      socket.destroy();
    }
  };

  /**
   * A browser sees any refused upgrade as close 1006 with no status or body, so refusals the client must act on
   * (wait `retryAfterMs`, go to another instance) complete the handshake, send the error frame and close with
   * the code instead.
   */
  const closeAfterAccept = (req: IncomingMessage, socket: Duplex, head: Buffer, error: RealtimeError) => {
    try {
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.send(JSON.stringify({ type: 'error', ...error.toBody() }));
        ws.close(CLOSE_CODES[error.code], Buffer.from(error.message).subarray(0, 123).toString());
      });
    } catch {
      refuse(socket, error);
    }
  };

  const run = (ws: WebSocket, socket: Duplex, request: RequestInfo, initial: P | null) => {
    // Clients that parse newline-delimited batch frames say so in the URL (docs/protocol.md, "Batch frames").
    const output = createWsOutput(ws, socket, request.url.searchParams.get('batch') === '1');
    const limiter = createRateLimiter(options.inboundFramesPerSecond, options.inboundFrameBurst, options.now);
    // Refused frames draw on their own bucket, which accepted frames do not refill: a sustained flood
    // empties it and the socket is closed, however many frames get through in between.
    const refusals = createRateLimiter(options.inboundFramesPerSecond / 10, options.inboundFrameBurst, options.now);
    // Never answer a flood with a flood: `rate_limited` error frames are capped per second.
    const rateReplies = createRateLimiter(MAX_RATE_LIMITED_REPLIES_PER_SECOND, MAX_RATE_LIMITED_REPLIES_PER_SECOND, options.now);
    let queue: Promise<void> = Promise.resolve();
    let queuedFrames = 0;
    let queuedBytes = 0;
    let session: Session<P> | undefined;
    let authTimer: ReturnType<typeof setTimeout> | undefined;
    const closeWith = (error: RealtimeError) => {
      if (session) return session.close(error.code, error.message);
      if (ws.readyState !== ws.OPEN) return;
      ctx.countDisconnect(error.code, 'ws');
      output.close(error);
    };
    const report = (error: unknown, ref?: unknown, topic?: unknown) => {
      const body = toRealtimeError(error).toBody();
      if (typeof ref === 'string') body.ref = ref;
      if (body.topic === undefined && typeof topic === 'string') body.topic = topic;
      if (session) output.error(body);
    };

    const closePending = (code: ErrorCode) => closeWith(new RealtimeError(code, 'closed by the server'));
    // Topics named in the upgrade URL are subscribed first, once the session exists (docs/protocol.md, WebSocket).
    const fromUrl = urlSubscribes(request.url);
    const subscribeFromUrl = async () => {
      for (const frame of fromUrl) await handleFrame(frame);
    };
    if (initial) {
      session = createSession(ctx, 'ws', initial, output);
      if (fromUrl.length) queue = queue.then(subscribeFromUrl).catch((error) => report(error));
    } else {
      authTimer = setTimeout(() => closeWith(new RealtimeError('unauthorized', 'no auth frame in time')), options.authTimeoutMs);
      ctx.unauthenticated.add(closePending);
    }

    // Liveness: a protocol-level ping (browsers answer it by themselves) every heartbeat; a peer that sent
    // nothing — no frame, no pong — for two heartbeat intervals is gone (half-open TCP) and is dropped at
    // the second heartbeat: it did not answer the first ping in a whole interval.
    let lastSeen = options.now();
    const seen = () => {
      lastSeen = options.now();
    };
    const liveness = setInterval(() => {
      // Paused on purpose (inbound queue full): the peer's pongs wait unread behind our own backlog.
      if (ws.isPaused) return seen();
      if (options.now() - lastSeen >= 2 * options.heartbeatMs) {
        ctx.countDisconnect('heartbeat_timeout', 'ws');
        return ws.terminate();
      }
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
    const onMessage = (raw: RawData, isBinary: boolean) => {
      seen();
      const size = Array.isArray(raw) ? raw.reduce((sum, part) => sum + part.length, 0) : raw.byteLength;
      if (!limiter.take()) {
        ctx.countRateLimited('connection');
        const flooding = !refusals.take();
        // The refusals bucket bounds how many refused frames are parsed (past it the socket closes): a refused
        // subscribe or publish is answered for its topic (the client retries it after `retryAfterMs`), and a
        // refused publish leaves a dead letter.
        const error = flooding
          ? new RealtimeError('rate_limited', 'too many frames')
          : new RealtimeError('rate_limited', 'too many frames; slow down', undefined, Math.max(1, limiter.retryAfterMs()));
        const frame = session && size <= options.maxFrameBytes && !isBinary ? parseFrame(raw) : undefined;
        if (isObject(frame) && frame.type === 'publish') ctx.deadLetters.record({ transport: 'ws', topic: frame.topic, data: frame.data, id: frame.id, principal: session?.principal }, error);
        if (flooding) return closeWith(error);
        // Only a refused subscribe or publish names its topic: the client retries the topic (or the publish, by ref).
        const retried = isObject(frame) && (frame.type === 'subscribe' || frame.type === 'publish');
        if (rateReplies.take()) report(error, isObject(frame) ? frame.ref : undefined, retried ? frame.topic : undefined);
        return;
      }
      if (size > options.maxFrameBytes) {
        const error = new RealtimeError('message_too_large', `frame of ${size} bytes is over the limit of ${options.maxFrameBytes}`);
        // Not parsed: the letter keeps the frame's first bytes (it is almost always a publish).
        ctx.deadLetters.record({ transport: 'ws', raw: rawHead(raw), principal: session?.principal }, error);
        return closeWith(error);
      }
      if (isBinary) return session ? report(new RealtimeError('bad_request', 'binary frames are not supported')) : closeWith(new RealtimeError('unauthorized', 'expected an auth frame'));
      const frame = parseFrame(raw);
      // Frames are handled one after the other, so `subscribe` then `unsubscribe` (or two publishes) keep
      // their order even when a hook or the broker is slow. The queue is bounded: past it the socket stops
      // being read (TCP pushes back on the client) until the backlog halves.
      queuedFrames++;
      queuedBytes += size;
      if (queuedFrames > options.maxQueuedFrames || queuedBytes > options.maxQueuedBytes) ws.pause();
      queue = queue
        .then(() => handleFrame(frame))
        .catch((error) => report(error))
        .finally(() => {
          queuedFrames--;
          queuedBytes -= size;
          if (ws.isPaused && queuedFrames <= options.maxQueuedFrames / 2 && queuedBytes <= options.maxQueuedBytes / 2) ws.resume();
        });
    };
    ws.on('message', (raw: RawData, isBinary: boolean) => {
      try {
        onMessage(raw, isBinary);
      } catch (error) {
        options.onError(error);
        closeWith(new RealtimeError('internal', 'frame handling failed'));
      }
    });

    const handleFrame = async (frame: unknown) => {
      if (!isObject(frame) || typeof frame.type !== 'string') {
        if (!session) return closeWith(new RealtimeError('unauthorized', 'expected an auth frame'));
        return report(new RealtimeError('bad_request', 'frames are JSON objects with a string "type"'));
      }
      const ref = typeof frame.ref === 'string' ? frame.ref : undefined;
      if (frame.type === 'auth') {
        if (typeof frame.token !== 'string') return closeWith(new RealtimeError('unauthorized', 'auth frame needs a string token'));
        let principal: P;
        try {
          principal = await ctx.authenticate(authContextOf(request, 'ws', options.allowQueryToken, frame.token));
        } catch (error) {
          return closeWith(toRealtimeError(error));
        }
        if (authTimer) clearTimeout(authTimer);
        authTimer = undefined;
        ctx.unauthenticated.delete(closePending);
        if (session) return session.setPrincipal(principal);
        if (ws.readyState !== ws.OPEN) return;
        session = createSession(ctx, 'ws', principal, output);
        return subscribeFromUrl();
      }
      if (!session) {
        const error = new RealtimeError('unauthorized', 'the first frame must be an auth frame');
        if (frame.type === 'publish') ctx.deadLetters.record({ transport: 'ws', topic: frame.topic, data: frame.data, id: frame.id }, error);
        return closeWith(error);
      }
      switch (frame.type) {
        case 'subscribe': {
          if ((frame.since !== undefined && !isPosition(frame.since)) || (frame.history !== undefined && !isCount(frame.history))) {
            return report(new RealtimeError('bad_request', 'subscribe: since must be {offset, epoch}, history a count'), ref);
          }
          const request = frame.since ? { since: frame.since as Position } : frame.history !== undefined ? { history: Math.min(frame.history as number, MAX_HISTORY) } : {};
          // Each subscribe holds a handshake slot until its replay is written (docs/protocol.md, overload).
          let leave: () => void;
          try {
            leave = ctx.admission.enter();
          } catch (error) {
            return report(error, ref, frame.topic);
          }
          try {
            return await session.subscribe(frame.topic, ref === undefined ? request : { ...request, ref });
          } finally {
            leave();
          }
        }
        case 'unsubscribe':
          return session.unsubscribe(frame.topic, ref);
        case 'publish':
          if (ref === undefined) {
            const error = new RealtimeError('bad_request', 'publish needs a string ref');
            ctx.deadLetters.record({ transport: 'ws', topic: frame.topic, data: frame.data, id: frame.id, principal: session.principal }, error);
            return report(error);
          }
          return session.publish({ topic: frame.topic as string, data: frame.data, id: frame.id as string | undefined, ref });
        case 'presence_join':
        case 'presence_leave':
          try {
            if (frame.type === 'presence_leave') return session.presence.leave(frame.topic);
            return void (await session.presence.join(frame.topic, frame.data, ref));
          } catch (error) {
            return report(error, ref, frame.topic);
          }
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
      let principal: P | null = null;
      let request: RequestInfo;
      let leave: (() => void) | undefined;
      try {
        request = nodeRequestInfo(req);
        if (ctx.closing) throw new RealtimeError('server_shutdown', 'the hub is closing');
        leave = ctx.admission.enter();
        principal = await ctx.authenticate(authContextOf(request, 'ws', options.allowQueryToken));
      } catch (error) {
        // Without explicit credentials a refused upgrade still opens: the first frame must then be `auth`.
        const unauthenticated = error instanceof RealtimeError && error.code === 'unauthorized' && !hasExplicitCredential(request!, options.allowQueryToken);
        if (!unauthenticated) {
          leave?.();
          if (error instanceof RealtimeError && CLOSE_AFTER_ACCEPT.has(error.code) && !socket.destroyed) return closeAfterAccept(req, socket, head, error);
          return refuse(socket, error);
        }
      }
      try {
        if (socket.destroyed) return;
        // The hub began closing while `authenticate` ran: a session now would outlive `hub.close()`.
        if (ctx.closing) return closeAfterAccept(req, socket, head, new RealtimeError('server_shutdown', 'the hub is closing'));
        // Synchronous without `verifyClient`: `hello` is written when it returns.
        wss.handleUpgrade(req, socket, head, (ws) => {
          // Past the 101 an HTTP refusal can no longer be written: a failure here ends the socket instead.
          try {
            run(ws, socket, request, principal);
          } catch (error) {
            options.onError(error);
            ws.terminate();
          }
        });
      } finally {
        leave?.();
      }
    },
    refuse,
    close() {
      wss.close();
    },
  };
}
