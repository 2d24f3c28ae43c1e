import type { Principal } from './auth.js';
import { RealtimeError } from './errors.js';
import type { HttpExchange } from './exchange.js';
import { createRateLimiter } from './rate-limit.js';
import type { RateLimiter } from './rate-limit.js';

/** Keys a {@link KeyedLimiters} remembers before forgetting the oldest (a forgotten key starts full again). */
const MAX_KEYS = 10_000;

/** Token buckets by key (a client key, a topic), created on first use and bounded in number. */
export type KeyedLimiters = (key: string) => RateLimiter;

/** Create {@link KeyedLimiters} refilled at `perSecond`, holding at most `burst` tokens each. */
export function createKeyedLimiters(perSecond: number, burst: number, now: () => number): KeyedLimiters {
  const buckets = new Map<string, RateLimiter>();
  return (key) => {
    let bucket = buckets.get(key);
    if (!bucket) {
      // Bounded: forget the oldest key rather than grow with every client or topic ever seen.
      if (buckets.size >= MAX_KEYS) buckets.delete(buckets.keys().next().value as string);
      bucket = createRateLimiter(perSecond, burst, now);
      buckets.set(key, bucket);
    }
    return bucket;
  };
}

/** Which bucket refused (`hub.stats().rateLimited`). */
export type RateLimitScope = 'connection' | 'topic' | 'address';

/**
 * Take `tokens` (default 1) from `bucket`, or count the refusal and throw `rate_limited` with the bucket's
 * `retryAfterMs` for them (at least 1 ms, so a client always has a wait to honour).
 */
export function takeOrThrow(bucket: RateLimiter, scope: RateLimitScope, count: (scope: RateLimitScope) => void, what: string, topic?: string, tokens = 1): void {
  if (bucket.take(tokens)) return;
  count(scope);
  throw new RealtimeError('rate_limited', `too many ${what}; slow down`, topic, Math.max(1, bucket.retryAfterMs(tokens)));
}

/**
 * Whose bucket an HTTP request draws on: the app's key, the trusted proxy's client address, the peer
 * address, the principal's `id`, or (Fetch-API servers without any of these) one bucket shared by all.
 */
export function clientKeyOf(exchange: HttpExchange, principal: Principal, trustProxy: boolean): string {
  if (exchange.clientKey !== undefined) return `key:${exchange.clientKey}`;
  const forwarded = trustProxy ? exchange.request.header('x-forwarded-for')?.split(',').at(-1)?.trim() : undefined;
  if (forwarded) return `ip:${forwarded}`;
  if (exchange.request.remoteAddress !== undefined) return `ip:${exchange.request.remoteAddress}`;
  const id = (principal as { id?: unknown }).id;
  if (typeof id === 'string' || typeof id === 'number') return `principal:${id}`;
  return 'shared';
}
