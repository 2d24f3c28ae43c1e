import { createPositions, isValidTopic, positionOfTopic, PROTOCOL_VERSION } from '@qwik-realtime/core/protocol';
import type { ErrorCode, Positions, PresenceFrame, PublishFrame, UnsubscribedFrame } from '@qwik-realtime/core/protocol';
import type { Principal } from './auth.js';
import { RealtimeError, toRealtimeError } from './errors.js';
import type { HubContext } from './hub-context.js';
import type { TransportName } from './options.js';
import type { Outbound } from './outbound.js';
import { createConflation } from './conflation.js';
import { takeOrThrow } from './limits.js';
import { createRateLimiter } from './rate-limit.js';
import type { RateLimiter } from './rate-limit.js';
import { createSessionPresence } from './session-presence.js';
import type { SessionPresence } from './session-presence.js';
import { countSubscribed } from './metrics-counters.js';
import { createStallClock, stalledFor } from './socket-progress.js';
import { createSubscription } from './subscription.js';
import type { SubscribeRequest, Subscription } from './subscription.js';
import { fastCursor, soleTopicOf } from './session-cursor.js';
import type { SessionOutput } from './session-output.js';

export type { SessionOutput } from './session-output.js';

/** A live connection as operators and hooks see it (`hub.onConnection`, `hub.sessions()`). */
export interface SessionHandle<P extends Principal = Principal> {
  readonly id: string;
  readonly transport: Exclude<TransportName, 'poll'>;
  /** The principal returned by `authenticate`. */
  readonly principal: P;
  /** Topics subscribed right now. */
  topics(): string[];
  /** Close the connection with an error code. @default 'disconnected' */
  close(code?: ErrorCode, message?: string): void;
}

/** A connection as the transports drive it. */
export interface Session<P extends Principal = Principal> extends SessionHandle<P> {
  /** Per-topic positions the client has seen (initially the ones it asked to resume from). */
  positions: Positions;
  /** The SSE `id:` of the next event: the cursor of all positions. */
  cursor(): string;
  /** Validate, authorize and start a subscription; problems are reported with `error` frames. */
  subscribe(topic: unknown, request: SubscribeRequest): Promise<void>;
  unsubscribe(topic: unknown, ref?: string): void;
  publish(frame: Pick<PublishFrame, 'topic' | 'data' | 'id' | 'ref'>): Promise<void>;
  /**
   * Replace the principal (WebSocket re-`auth`); re-arms the expiry timer and asks `authorize` again for
   * every subscription, dropping refused ones with a `forbidden` topic error (revocation).
   */
  setPrincipal(principal: P): Promise<void>;
  /** The topics whose presence this connection joined (left when it ends). */
  readonly presence: SessionPresence;
  /** The transport is gone: release everything without writing. */
  closed(): void;
}


/** Create a session, register it with the hub, send `hello` and start heartbeats. */
export function createSession<P extends Principal>(
  ctx: HubContext<P>,
  transport: Exclude<TransportName, 'poll'>,
  principal: P,
  output: SessionOutput,
  initialPositions: Positions = {},
): Session<P> {
  const { options } = ctx;
  const subscriptions = new Map<string, Subscription>();
  const pending = new Set<string>();
  let done = false;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let expiry: ReturnType<typeof setTimeout> | undefined;
  // Made on first use (a full bucket either way): SSE sessions never subscribe or publish over the session,
  // and 1,000 idle connections should not hold 2,000 buckets.
  let subscribeBucket: RateLimiter | undefined;
  let publishBucket: RateLimiter | undefined;

  const counters = ctx.counters.transports[transport];
  const overflow = () => session.close('slow_consumer', `more than ${options.maxBufferedBytes} bytes waiting to be sent`);
  // Kept up to date wherever a topic enters or leaves `session.positions` (only this file changes its keys).
  let soleTopic: string | undefined;
  // The network took no byte for `slowConsumerMs` while some waited: the client stopped reading. Counted
  // from the first look at a stuck queue, so only outputs that can tell (`progress`) are ever cut by it.
  const stall = createStallClock();
  const stalled = () => {
    const moves = output.progress?.() ?? -1;
    // The fan-out path: nothing waits, nothing waited at the last look.
    if (moves < 0 && stall.moves < 0) return false;
    return stalledFor(stall, moves, output.bufferedBytes(), options.now(), options.slowConsumerMs);
  };
  const overflowOrStall = () => {
    if (output.bufferedBytes() > options.maxBufferedBytes) overflow();
    else if (stalled()) session.close('slow_consumer', `nothing taken by the network for ${options.slowConsumerMs} ms`);
  };
  // The hot path of fan-out: the position object is updated in place.
  const writeMessage = (topic: string, outbound: Outbound) => {
    const { offset, epoch } = outbound.message;
    const position = positionOfTopic(session.positions, topic);
    if (position) {
      position.offset = offset;
      position.epoch = epoch;
    } else {
      session.positions[topic] = { offset, epoch };
      soleTopic = soleTopicOf(session.positions);
    }
    output.message(outbound, topic === soleTopic);
    counters.messagesOut++;
    overflowOrStall();
  };
  // Conflated topics (hub option `conflate`) hold their latest message while the connection is half full.
  const conflation = options.conflate
    ? createConflation({
        conflate: options.conflate,
        pressure: () => output.bufferedBytes() > options.maxBufferedBytes / 2,
        write: (topic, outbound) => !done && subscriptions.has(topic) && writeMessage(topic, outbound),
      })
    : undefined;
  // Outputs have no common drain event (the SSE sink's per-turn writer, a ws socket), so a replay waiting
  // for room looks again every few milliseconds; it stops waiting when the session ends.
  const waitForRoom = async () => {
    while (!done && output.bufferedBytes() > options.maxBufferedBytes / 4) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  const guard = (write: () => void) => {
    if (done) return;
    write();
    overflowOrStall();
  };

  const armExpiry = () => {
    if (expiry) clearTimeout(expiry);
    expiry = undefined;
    const expiresAt = session.principal.expiresAt;
    if (expiresAt === undefined) return;
    const delay = expiresAt - options.now();
    if (delay <= 0) return session.close('token_expired', 'credentials expired');
    // setTimeout cannot wait longer than 2^31-1 ms; re-check after that long.
    expiry = setTimeout(armExpiry, Math.min(delay, 2 ** 31 - 1));
  };

  const reportError = (error: unknown, topic?: string, ref?: string) => {
    const realtime = toRealtimeError(error);
    if (realtime.code === 'internal') options.onError(error);
    const body = realtime.toBody();
    if (topic !== undefined) body.topic = topic;
    if (ref !== undefined) body.ref = ref;
    guard(() => output.error(body));
  };

  const session: Session<P> = {
    id: options.generateId(),
    transport,
    principal,
    positions: createPositions(initialPositions),
    cursor: () => fastCursor(session.positions),
    topics: () => [...subscriptions.keys()],
    // Set below, once the session exists; a getter here would put every session object in dictionary mode.
    presence: undefined as unknown as SessionPresence,

    async subscribe(topic, request) {
      if (done) return;
      if (!isValidTopic(topic)) return reportError(new RealtimeError('invalid_topic', `invalid topic ${JSON.stringify(topic)?.slice(0, 140)}`), undefined, request.ref);
      // SSE topics come with the request (bounded by the handshake cap); a WebSocket may subscribe at any time.
      if (transport === 'ws') {
        try {
          subscribeBucket ??= createRateLimiter(options.connectionSubscribesPerSecond, options.connectionSubscribeBurst, options.now);
          takeOrThrow(subscribeBucket, 'connection', ctx.countRateLimited, 'subscribes', topic);
        } catch (error) {
          return reportError(error, topic, request.ref);
        }
      }
      if (!subscriptions.has(topic) && !pending.has(topic) && subscriptions.size + pending.size >= options.maxTopicsPerConnection) {
        return reportError(new RealtimeError('too_many_topics', `at most ${options.maxTopicsPerConnection} topics per connection`), topic, request.ref);
      }
      // Reserve the slot while `authorize` runs, so concurrent subscribes cannot overshoot the limit.
      pending.add(topic);
      try {
        if (!(await ctx.authorize(session.principal, 'subscribe', topic))) throw new RealtimeError('forbidden', `not allowed to subscribe to ${topic}`, topic);
      } catch (error) {
        return reportError(error, topic, request.ref);
      } finally {
        pending.delete(topic);
      }
      if (done) return;
      subscriptions.get(topic)?.stop();
      const subscription = createSubscription(topic, ctx.registry, options.broker, {
        subscribed(frame) {
          session.positions[topic] = { ...frame.position };
          soleTopic = soleTopicOf(session.positions);
          countSubscribed(counters, frame);
          guard(() => output.subscribed(frame));
        },
        message(outbound) {
          if (done || conflation?.hold(topic, outbound)) return;
          writeMessage(topic, outbound);
        },
        room: () => (done || output.bufferedBytes() <= options.maxBufferedBytes / 2 ? undefined : waitForRoom()),
        failed(error) {
          if (subscriptions.get(topic) === subscription) subscriptions.delete(topic);
          if (error.code === 'broker_unavailable') ctx.counters.brokerSubscribeErrors++;
          if (error.code === 'slow_consumer') return session.close('slow_consumer', error.message);
          if (transport === 'sse') return session.close(error.code, error.message);
          reportError(error, topic, request.ref);
        },
      });
      subscriptions.set(topic, subscription);
      await subscription.start(request);
    },

    unsubscribe(topic, ref) {
      if (done) return;
      if (!isValidTopic(topic)) return reportError(new RealtimeError('invalid_topic', 'invalid topic'), undefined, ref);
      subscriptions.get(topic)?.stop();
      subscriptions.delete(topic);
      delete session.positions[topic];
      soleTopic = soleTopicOf(session.positions);
      const frame: UnsubscribedFrame = { type: 'unsubscribed', topic };
      if (ref !== undefined) frame.ref = ref;
      guard(() => output.unsubscribed(frame));
    },

    // Only WebSocket sessions publish over the session; SSE clients use `POST /publish`.
    async publish(frame) {
      try {
        publishBucket ??= createRateLimiter(options.connectionPublishesPerSecond, options.connectionPublishBurst, options.now);
        const ack = await ctx.publish({ transport: 'ws', principal: session.principal, bucket: publishBucket }, frame.topic, frame.data, frame.id);
        guard(() => output.ack({ type: 'ack', ref: frame.ref, ...ack }));
      } catch (error) {
        reportError(error, typeof frame.topic === 'string' ? frame.topic : undefined, frame.ref);
      }
    },

    async setPrincipal(next) {
      (session as { principal: P }).principal = next;
      presenceOwner.principal = next;
      armExpiry();
      await Promise.all(
        [...subscriptions.keys()].map(async (topic) => {
          let error: unknown;
          try {
            if (!(await ctx.authorize(next, 'subscribe', topic))) error = new RealtimeError('forbidden', `not allowed to subscribe to ${topic} any more`, topic);
          } catch (thrown) {
            error = thrown;
          }
          // Another re-auth (or an unsubscribe) may have happened meanwhile: only the current principal counts.
          if (error === undefined || done || session.principal !== next || !subscriptions.has(topic)) return;
          subscriptions.get(topic)?.stop();
          subscriptions.delete(topic);
          delete session.positions[topic];
          soleTopic = soleTopicOf(session.positions);
          reportError(error, topic);
        }),
      );
      await presence.recheck(next);
    },

    close(code = 'disconnected', message = 'closed by the server') {
      if (done) return;
      const error = new RealtimeError(code, message);
      ctx.countDisconnect(code, transport);
      release();
      output.close(error, code === 'server_shutdown' ? ctx.reconnectWithinMs : undefined);
    },

    closed() {
      release();
    },
  };

  const release = () => {
    if (done) return;
    done = true;
    if (heartbeat) clearInterval(heartbeat);
    if (expiry) clearTimeout(expiry);
    conflation?.stop();
    presence.release();
    for (const subscription of subscriptions.values()) subscription.stop();
    subscriptions.clear();
    ctx.sessions.delete(session);
  };

  // `principal` is a plain property kept in step by setPrincipal: a literal with a getter is a V8 dictionary.
  const presenceOwner = { id: session.id, principal: session.principal, done: () => done, write: (frame: PresenceFrame) => guard(() => output.presence(frame)), error: reportError };
  const presence = createSessionPresence(ctx, presenceOwner);
  (session as { presence: SessionPresence }).presence = presence;
  soleTopic = soleTopicOf(session.positions);
  ctx.sessions.add(session);
  guard(() => output.hello({ type: 'hello', connectionId: session.id, heartbeatMs: options.heartbeatMs, protocol: PROTOCOL_VERSION }));
  heartbeat = setInterval(() => guard(() => output.ping()), options.heartbeatMs);
  armExpiry();
  if (!done) ctx.announce(session);
  return session;
}
