/** A token bucket: `take()` is false when the rate is exceeded. */
export interface RateLimiter {
  take(): boolean;
  /** Milliseconds until the next token (0 when one is available). */
  retryAfterMs(): number;
}

/** Create a token bucket refilled at `perSecond`, holding at most `burst` tokens. `now` is read at call time. */
export function createRateLimiter(perSecond: number, burst: number, now: () => number): RateLimiter {
  let tokens = burst;
  let updated = now();
  return {
    take() {
      const time = now();
      tokens = Math.min(burst, tokens + ((time - updated) * perSecond) / 1000);
      updated = time;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    retryAfterMs() {
      const current = Math.min(burst, tokens + ((now() - updated) * perSecond) / 1000);
      return current >= 1 ? 0 : Math.ceil(((1 - current) * 1000) / perSecond);
    },
  };
}
