import type { Envelope, Position } from '@qwik-realtime/core/protocol';

/**
 * Append `incoming` to `current` (both oldest first) and keep the newest `limit`. Drops messages already
 * shown: same id, or — within the epoch of `after` — an offset at or before it. That is what lets a feed
 * seeded on the server continue live with no duplicate even if the stream replays an overlap.
 */
export function mergeFeed<T>(
  current: readonly Envelope<T>[],
  incoming: readonly Envelope<T>[],
  limit: number,
  after?: Position | null,
): Envelope<T>[] {
  const ids = new Set(current.map((message) => message.id));
  const next = current.slice();
  for (const message of incoming) {
    if (ids.has(message.id)) continue;
    if (after && message.epoch === after.epoch && message.offset <= after.offset) continue;
    ids.add(message.id);
    next.push(message);
  }
  return next.length > limit ? next.slice(next.length - limit) : next;
}

/** Position of the newest message of `messages`, or `fallback` when it is empty. */
export function lastPosition(messages: readonly Envelope[], fallback: Position | null = null): Position | null {
  const last = messages[messages.length - 1];
  return last ? { offset: last.offset, epoch: last.epoch } : fallback;
}
