/** A token bucket: `take()` is false when the rate is exceeded. */
export interface RateLimiter {
  /**
   * Take `count` tokens (default 1) at once, or none: false when fewer are there. A count over the burst is
   * taken as the whole burst, so that a large operation waits for a full bucket instead of never passing.
   */
  take(count?: number): boolean;
  /** Milliseconds until `count` tokens (default 1, capped at the burst) are there (0 when they are). */
  retryAfterMs(count?: number): number;
}

/** Create a token bucket refilled at `perSecond`, holding at most `burst` tokens. `now` is read at call time. */
export function createRateLimiter(perSecond: number, burst: number, now: () => number): RateLimiter {
  let tokens = burst;
  let updated = now();
  const refill = () => {
    const time = now();
    tokens = Math.min(burst, tokens + ((time - updated) * perSecond) / 1000);
    updated = time;
  };
  return {
    take(count = 1) {
      refill();
      const needed = Math.min(count, burst);
      if (tokens < needed) return false;
      tokens -= needed;
      return true;
    },
    retryAfterMs(count = 1) {
      refill();
      const needed = Math.min(count, burst);
      return tokens >= needed ? 0 : Math.ceil(((needed - tokens) * 1000) / perSecond);
    },
  };
}
