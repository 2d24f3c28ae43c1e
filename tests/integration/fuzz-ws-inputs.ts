/**
 * fast-check arbitraries for WebSocket fuzz sessions: one connection (with or without credentials on the
 * upgrade) sending 1-12 malformed frames — invalid JSON, wrong types, junk topics and positions, unknown
 * frame types, junk `auth` frames, binary and oversized frames.
 */
import fc from 'fast-check';
import { jsonValue, position, token, topicName, touchesHonest } from './fuzz-values.js';

/** One frame as sent: text or binary bytes. */
export type FuzzFrame = { kind: 'text'; text: string } | { kind: 'binary'; bytes: Uint8Array };

/** One fuzz connection. */
export interface WsSession {
  /** Bearer token on the upgrade request; without one the first frame must be `auth`. */
  upgradeToken: string | undefined;
  frames: FuzzFrame[];
}

const text = (value: string): FuzzFrame => ({ kind: 'text', text: value });
const json = (value: unknown): FuzzFrame => text(JSON.stringify(value) ?? 'undefined');

const frameType = fc.oneof(
  { arbitrary: fc.constantFrom('auth', 'subscribe', 'unsubscribe', 'publish', 'presence_join', 'presence_leave', 'ping', 'pong'), weight: 6 },
  { arbitrary: fc.constantFrom('hello', 'message', 'ack', 'error', 'subscribed', '__proto__', 'constructor', 'SUBSCRIBE', ''), weight: 2 },
  { arbitrary: fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 })), weight: 1 },
);

/** A frame object with any mix of protocol fields, right or wrong. */
const structured = fc
  .record(
    {
      type: frameType,
      topic: fc.oneof({ arbitrary: topicName, weight: 5 }, { arbitrary: jsonValue, weight: 1 }),
      since: position,
      history: fc.oneof(fc.nat({ max: 20 }), fc.constantFrom(-1, 1.5, 1e9, '3', null)),
      ref: fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.constant(null)),
      data: jsonValue,
      id: fc.oneof(fc.string({ maxLength: 20 }), fc.constant(''), fc.constant('x'.repeat(200)), fc.integer()),
      token: fc.oneof({ arbitrary: token, weight: 3 }, { arbitrary: jsonValue, weight: 1 }),
    },
    { requiredKeys: ['type'] },
  )
  .filter((frame) => !touchesHonest(frame.topic));

/** Frames, mostly malformed. `maxFrameBytes` is the hub's frame limit (oversized frames straddle it). */
export function wsFrame(maxFrameBytes: number): fc.Arbitrary<FuzzFrame> {
  return fc.oneof(
    { arbitrary: structured.map(json), weight: 10 },
    { arbitrary: token.map((t) => json({ type: 'auth', token: t })), weight: 2 },
    { arbitrary: jsonValue.map(json), weight: 2 },
    { arbitrary: fc.string({ maxLength: 40 }).map(text), weight: 2 },
    { arbitrary: fc.constantFrom('', '{', '{"type":', 'null', '[]', '{"type":"subscribe","topic":"fz/a"', '\u0000', '{"__proto__":{"type":"ping"}}').map(text), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes): FuzzFrame => ({ kind: 'binary', bytes })), weight: 1 },
    {
      arbitrary: fc.integer({ min: maxFrameBytes + 1, max: maxFrameBytes * 3 }).map((n) => json({ type: 'publish', topic: 'fz/big', ref: 'r', data: 'x'.repeat(n) })),
      weight: 1,
    },
  );
}

/** A fuzz connection: half with credentials on the upgrade, half starting with an `auth` frame (or not). */
export function wsSession(maxFrameBytes: number): fc.Arbitrary<WsSession> {
  return fc.record({
    upgradeToken: fc.option(fc.constantFrom('good', 'good', 'good', 'expired', 'throw', 'junk'), { nil: undefined, freq: 2 }),
    frames: fc.array(wsFrame(maxFrameBytes), { minLength: 1, maxLength: 12 }),
  });
}

/** A few topics shared by every frame of a stateful session, `Object.prototype` keys among them. */
const sharedTopic = fc.constantFrom('fz/s1', 'fz/s2', 'fz/s3', '__proto__', 'constructor');

/** Mostly well-formed frames on a few shared topics: subscribe again, unsubscribe mid-replay, publish, resume. */
const statefulFrame: fc.Arbitrary<FuzzFrame> = fc.oneof(
  fc.record({ type: fc.constant('subscribe'), topic: sharedTopic, history: fc.nat({ max: 5 }), ref: fc.string({ maxLength: 4 }) }, { requiredKeys: ['type', 'topic'] }).map(json),
  fc.record({ type: fc.constant('subscribe'), topic: sharedTopic, since: position }).map(json),
  fc.record({ type: fc.constant('unsubscribe'), topic: sharedTopic, ref: fc.string({ maxLength: 4 }) }, { requiredKeys: ['type', 'topic'] }).map(json),
  fc.record({ type: fc.constant('publish'), topic: sharedTopic, data: jsonValue, ref: fc.string({ minLength: 1, maxLength: 4 }), id: fc.constantFrom('same', 'other') }, { requiredKeys: ['type', 'topic', 'data', 'ref'] }).map(json),
  fc.constant(json({ type: 'ping' })),
);

/** A long session of 20-40 stateful frames, with credentials on the upgrade. */
export const wsStatefulSession: fc.Arbitrary<WsSession> = fc.record({
  upgradeToken: fc.constant('good'),
  frames: fc.array(statefulFrame, { minLength: 20, maxLength: 40 }),
});
