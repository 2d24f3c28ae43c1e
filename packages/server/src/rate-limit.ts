/** A token bucket: `take()` is false when the rate is exceeded. */
export interface RateLimiter {
  take(): boolean;
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
  };
}
