/**
 * A list that tests can wait on: `push` from a socket callback, `next()` / `until()` from the test.
 * Waiting is bounded by `timeoutMs` so a missing event fails the test instead of hanging it.
 */
export interface Collector<T> {
  readonly items: T[];
  push(item: T): void;
  /** Resolve with the first item (from index `from`) matching `predicate`, waiting for it if needed. */
  next(predicate?: (item: T) => boolean, timeoutMs?: number): Promise<T>;
  /** Resolve once `items.length >= count`, with the items. */
  count(count: number, timeoutMs?: number): Promise<T[]>;
  /** Everything received after the last `next()`/`take()` match is read with `take`. */
  take(predicate?: (item: T) => boolean, timeoutMs?: number): Promise<T>;
}

/** Create a {@link Collector}. */
export function createCollector<T>(label = 'collector'): Collector<T> {
  const items: T[] = [];
  const waiters = new Set<() => void>();
  let cursor = 0;
  const wait = <R>(check: () => R | undefined, timeoutMs: number, what: string) =>
    new Promise<R>((resolve, reject) => {
      const found = check();
      if (found !== undefined) return resolve(found);
      const timer = setTimeout(() => {
        waiters.delete(tick);
        reject(new Error(`${label}: timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(items).slice(0, 2000)}`));
      }, timeoutMs);
      const tick = () => {
        const value = check();
        if (value === undefined) return;
        clearTimeout(timer);
        waiters.delete(tick);
        resolve(value);
      };
      waiters.add(tick);
    });
  return {
    items,
    push(item) {
      items.push(item);
      for (const waiter of [...waiters]) waiter();
    },
    next(predicate = () => true, timeoutMs = 5000) {
      return wait(() => items.find(predicate), timeoutMs, 'a matching item');
    },
    count(count, timeoutMs = 5000) {
      return wait(() => (items.length >= count ? items.slice() : undefined), timeoutMs, `${count} items`);
    },
    take(predicate = () => true, timeoutMs = 5000) {
      return wait(
        () => {
          for (let i = cursor; i < items.length; i++) {
            if (predicate(items[i] as T)) {
              cursor = i + 1;
              return items[i];
            }
          }
          return undefined;
        },
        timeoutMs,
        'a matching item after the last take',
      );
    },
  };
}
