import { backoffDelay } from './backoff.js';
import type { BackoffOptions } from './backoff.js';
import type { CloseReason } from './transport.js';

/** What {@link retryDelay} decides from. */
export interface RetryDelayInput {
  reason: CloseReason;
  /** Attempts since the connection last stayed up (0: this is the first retry after a drop). */
  attempt: number;
  random: () => number;
  backoff?: BackoffOptions;
  /** Window of the first retry after a `retry_now` close. */
  retryNowWindowMs: number;
  /** Window the server announced for this reconnect (drain), if it did. */
  reconnectWithinMs?: number;
}

/**
 * Delay before the next connection attempt, ms. Pure (randomness passed in), so the windows can be pinned.
 * - A window announced by the server (`reconnectWithinMs`): uniform in `[0, N)`.
 * - The first retry after a `retry_now` close (shutdown, heartbeat timeout): uniform in `[0, retryNowWindowMs)`,
 *   so a restarted hub does not get every client back in the same millisecond. `token_expired` concerns one
 *   client only and stays immediate.
 * - Otherwise full-jitter backoff.
 * - A server hint (`retryAfterMs`, `Retry-After`): at least that long, plus a jitter as wide as the hint
 *   (or the retry-now window, whichever is wider), so clients told the same time do not come back together.
 */
export function retryDelay(input: RetryDelayInput): number {
  const { reason, attempt, random } = input;
  let delay: number;
  if (input.reconnectWithinMs !== undefined && reason.retry !== 'no_retry') delay = Math.floor(random() * input.reconnectWithinMs);
  else if (reason.retry === 'retry_now' && attempt === 0) delay = reason.code === 'token_expired' ? 0 : Math.floor(random() * input.retryNowWindowMs);
  else delay = backoffDelay(attempt, random(), input.backoff);
  const after = reason.retryAfterMs;
  if (after && after > 0) delay = Math.max(delay, after + Math.floor(random() * Math.max(after, input.retryNowWindowMs)));
  return delay;
}
