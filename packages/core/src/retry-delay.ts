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
 * - `try_again_later` (a hub at its handshake cap) is paced by the hub alone: its hint plus that jitter, not
 *   stacked on the growing backoff. Otherwise a client refused four times in a storm waited its [0, 16 s)
 *   backoff although the hub asked for about 1 s (storm benchmark: p99 27-50 s). Other hinted errors (an
 *   HTTP `Retry-After: 1` on any retryable failure, a broker outage) still back off.
 */
export function retryDelay(input: RetryDelayInput): number {
  const { reason, attempt, random } = input;
  const after = reason.retryAfterMs;
  const hinted = (ms: number) => ms + Math.floor(random() * Math.max(ms, input.retryNowWindowMs));
  if (reason.code === 'try_again_later' && after && after > 0) return hinted(after);
  let delay: number;
  if (input.reconnectWithinMs !== undefined && reason.retry !== 'no_retry') delay = Math.floor(random() * input.reconnectWithinMs);
  else if (reason.retry === 'retry_now' && attempt === 0) delay = reason.code === 'token_expired' ? 0 : Math.floor(random() * input.retryNowWindowMs);
  else delay = backoffDelay(attempt, random(), input.backoff);
  if (after && after > 0) delay = Math.max(delay, hinted(after));
  return delay;
}
