import type { Position } from './envelope.js';
import { isValidTopic } from './topic.js';

/**
 * Per-topic positions, as carried by an SSE `id:`, a `since` query parameter or a long-poll cursor.
 * Topics are arbitrary keys (`constructor` and `__proto__` are valid topics): build these with
 * {@link createPositions} (no prototype) and look them up with `Object.hasOwn`.
 */
export type Positions = Record<string, Position>;

/** An empty {@link Positions} without a prototype, so every topic name is an ordinary key. */
export function createPositions(from?: Positions): Positions {
  const positions = Object.create(null) as Positions;
  if (from) for (const topic of Object.keys(from)) positions[topic] = from[topic] as Position;
  return positions;
}

/** The position of `topic`, own keys only (`constructor` is not inherited from `Object.prototype`). */
export function positionOfTopic(positions: Positions, topic: string): Position | undefined {
  return Object.hasOwn(positions, topic) ? positions[topic] : undefined;
}

const EPOCH_SYNTAX = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether `epoch` can be carried by a cursor. Brokers must produce epochs of this shape. */
export function isValidEpoch(epoch: unknown): epoch is string {
  return typeof epoch === 'string' && EPOCH_SYNTAX.test(epoch);
}

/**
 * Encode positions as `epoch0|epoch1;topicA=12,topicB=7.1` (distinct epochs listed once; `.n` names the
 * n-th epoch, default 0). Readable, URL-safe apart from `|`, `;`, `,` and `=`, and compact when all topics
 * share an epoch.
 */
export function encodeCursor(positions: Positions): string {
  const epochs: string[] = [];
  const entries: string[] = [];
  for (const topic of Object.keys(positions)) {
    const { offset, epoch } = positions[topic] as Position;
    let index = epochs.indexOf(epoch);
    if (index < 0) index = epochs.push(epoch) - 1;
    entries.push(index === 0 ? `${topic}=${offset}` : `${topic}=${offset}.${index}`);
  }
  return `${epochs.join('|')};${entries.join(',')}`;
}

/**
 * Decode a cursor made by {@link encodeCursor}. Returns `undefined` for anything malformed, so a stale or
 * hand-edited `Last-Event-ID` is treated as "no position" rather than trusted.
 */
export function decodeCursor(cursor: string): Positions | undefined {
  const split = cursor.indexOf(';');
  if (split < 0) return undefined;
  const head = cursor.slice(0, split);
  const body = cursor.slice(split + 1);
  const epochs = head === '' ? [] : head.split('|');
  if (!epochs.every(isValidEpoch)) return undefined;
  const positions = createPositions();
  if (body === '') return positions;
  for (const entry of body.split(',')) {
    const eq = entry.lastIndexOf('=');
    const topic = entry.slice(0, eq);
    const match = /^(\d{1,15})(?:\.(\d{1,4}))?$/.exec(entry.slice(eq + 1));
    if (eq <= 0 || !match || !isValidTopic(topic)) return undefined;
    const epoch = epochs[Number(match[2] ?? 0)];
    if (epoch === undefined) return undefined;
    positions[topic] = { offset: Number(match[1]), epoch };
  }
  return positions;
}
