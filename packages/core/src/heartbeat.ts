import type { ResolvedPlatform } from './platform.js';

/** Watches a connection for silence. */
export interface Watchdog {
  /** Something arrived: the connection is alive. */
  beat(): void;
  /**
   * Compare the wall clock with the last beat and expire at once if it is too old. Call when the page
   * becomes visible or the network comes back: timers are throttled or frozen in background tabs and on
   * sleeping laptops, so the timer alone may fire far too late.
   */
  check(): void;
  stop(): void;
}

/**
 * Start a heartbeat watchdog: `onExpire` runs once if nothing arrives for `timeoutMs` (the server's
 * announced heartbeat plus a grace). Timers come from the platform, called at call time.
 */
export function createWatchdog(platform: ResolvedPlatform, timeoutMs: number, onExpire: () => void): Watchdog {
  let last = platform.now();
  let timer: unknown;
  let done = false;
  const expire = () => {
    if (done) return;
    done = true;
    platform.clearTimeout(timer);
    onExpire();
  };
  // One timer per window, not per beat: beats only record the time (cheap at 30k msg/s); when the timer
  // fires it re-arms for whatever is left of the window since the last beat.
  const arm = (ms: number) => {
    timer = platform.setTimeout(() => {
      const left = timeoutMs - (platform.now() - last);
      if (left <= 0) expire();
      else arm(left);
    }, ms);
  };
  arm(timeoutMs);
  return {
    beat() {
      last = platform.now();
    },
    check() {
      if (!done && platform.now() - last >= timeoutMs) expire();
    },
    stop() {
      done = true;
      platform.clearTimeout(timer);
    },
  };
}
