/** Reading inbound WebSocket frames: raw bytes to JSON, and the shape checks a frame's fields need. */
import { isValidEpoch, positionOfTopic } from '@qwik-realtime/core/protocol';
import type { Position } from '@qwik-realtime/core/protocol';
import type { RawData } from 'ws';
import { DEAD_LETTER_PREVIEW_CHARS } from '../dead-letter.js';
import { cursorParam } from './common.js';

/** Largest `history` replay one subscribe asks for (the same cap as SSE's `history` parameter). */
export const MAX_HISTORY = 100_000;

/** A plain JSON object (not null, not an array). */
export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
/** A non-negative safe integer. */
export const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
/** A well-formed `{ offset, epoch }`. */
export const isPosition = (value: unknown): value is Position => isObject(value) && isCount(value.offset) && isValidEpoch(value.epoch);

const textOf = (raw: RawData): Buffer => (Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw));

/** A frame's JSON, or `undefined` when it does not parse. */
export function parseFrame(raw: RawData): unknown {
  try {
    return JSON.parse(String(textOf(raw)));
  } catch {
    return undefined;
  }
}

/** The first bytes of an oversize frame, for its dead letter. */
export const rawHead = (raw: RawData): string => textOf(raw).subarray(0, DEAD_LETTER_PREVIEW_CHARS).toString('utf8');

/**
 * The subscribes a WebSocket upgrade URL carries, as SSE's query does (`topic=a&topic=b[&since=CURSOR][&history=N]`):
 * the hub handles them before any frame of the connection (after the `auth` frame when one is needed), so a
 * (re)connecting client is live without the round trip of its subscribe frames. Topics are deduplicated; each
 * is validated by `subscribe` like a frame's, so a bad one — or one past `maxTopicsPerConnection` — gets its
 * own `error` frame: a client awaits an answer for every topic it named (the URL's size bounds their number).
 * A malformed cursor or `history` counts as absent.
 */
export function urlSubscribes(url: URL): Record<string, unknown>[] {
  const topics = [...new Set(url.searchParams.getAll('topic'))];
  if (topics.length === 0) return [];
  const positions = cursorParam(url.searchParams.get('since'));
  const raw = url.searchParams.get('history') ?? '';
  const history = /^\d{1,9}$/.test(raw) ? Math.min(Number(raw), MAX_HISTORY) : undefined;
  return topics.map((topic) => {
    const since = positionOfTopic(positions, topic);
    return since ? { type: 'subscribe', topic, since } : history === undefined ? { type: 'subscribe', topic } : { type: 'subscribe', topic, history };
  });
}
