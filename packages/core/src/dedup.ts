/** A bounded set of recently seen keys. */
export interface Dedup {
  /** Returns true if `key` was seen within the window; otherwise remembers it and returns false. */
  seen(key: string): boolean;
  /** How many keys are remembered (never more than the window). */
  readonly size: number;
}

/**
 * A dedup window of the last `capacity` keys (a ring buffer plus a set): memory stays bounded whatever
 * the stream, and a key is forgotten only after `capacity` newer ones.
 * @example
 * const dedup = createDedup(1000);
 * if (!dedup.seen(message.id)) deliver(message);
 */
export function createDedup(capacity: number): Dedup {
  const ring: (string | undefined)[] = new Array(Math.max(1, capacity));
  const keys = new Set<string>();
  let next = 0;
  return {
    seen(key) {
      if (keys.has(key)) return true;
      const evicted = ring[next];
      if (evicted !== undefined) keys.delete(evicted);
      ring[next] = key;
      next = (next + 1) % ring.length;
      keys.add(key);
      return false;
    },
    get size() {
      return keys.size;
    },
  };
}
