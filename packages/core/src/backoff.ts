/** Backoff settings. */
export interface BackoffOptions {
  /** Delay scale of the first retry, ms. @default 1000 */
  baseMs?: number;
  /** Upper bound of any delay, ms. @default 30000 */
  capMs?: number;
}

/**
 * Full-jitter exponential backoff: a uniformly random delay in `[0, min(cap, base * 2^attempt))`.
 * Pure: pass the randomness. Full jitter spreads a crowd of clients that lost the same server evenly
 * over the window, so they do not come back in waves.
 * @param attempt - 0 for the first retry after a drop.
 * @param random - a number in [0, 1).
 * @example
 * backoffDelay(3, Math.random) // somewhere in [0, 8000)
 */
export function backoffDelay(attempt: number, random: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 1000;
  const cap = options.capMs ?? 30_000;
  const window = Math.min(cap, base * 2 ** Math.min(attempt, 30));
  return Math.floor(random * window);
}
