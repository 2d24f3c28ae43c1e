/** Reading inbound WebSocket frames: raw bytes to JSON, and the shape checks a frame's fields need. */
import { isValidEpoch } from '@qwik-realtime/core/protocol';
import type { Position } from '@qwik-realtime/core/protocol';
import type { RawData } from 'ws';
import { DEAD_LETTER_PREVIEW_CHARS } from '../dead-letter.js';

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
