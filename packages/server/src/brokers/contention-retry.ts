import { backoffDelay } from '@qwik-realtime/core';

/** How a broker retries an optimistic write that lost a race to another instance. */
export interface ContentionRetryOptions {
  /** Attempts in all, the first included. @default 10 */
  attempts?: number;
  /** Delay scale of the first retry, ms (full-jitter exponential backoff). @default 2 */
  baseMs?: number;
  /** Upper bound of one delay, ms. @default 100 */
  capMs?: number;
  /** Timer seam, injectable for tests; read at call time. @default globalThis.setTimeout */
  setTimeout?: (callback: () => void, ms: number) => unknown;
  /** Randomness in [0, 1), injectable for tests. @default Math.random */
  random?: () => number;
}

/** Outcome of one attempt: a value, or `retry` when the race was lost and the attempt may be repeated. */
export type Attempt<T> = { done: T } | { retry: true };

/**
 * Run `attempt` until it is done, waiting a full-jitter backoff between attempts, at most
 * `options.attempts` times; `exhausted()` makes the error thrown after the last one. Without the wait,
 * instances racing for one topic retry in lockstep and keep colliding.
 */
export async function retryOnContention<T>(attempt: (n: number) => Promise<Attempt<T>>, exhausted: () => Error, options: ContentionRetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 10);
  for (let n = 0; n < attempts; n++) {
    if (n > 0) {
      const ms = backoffDelay(n - 1, (options.random ?? Math.random)(), { baseMs: options.baseMs ?? 2, capMs: options.capMs ?? 100 });
      await new Promise<void>((resolve) => (options.setTimeout ?? setTimeout)(resolve, ms));
    }
    const outcome = await attempt(n);
    if ('done' in outcome) return outcome.done;
  }
  throw exhausted();
}
