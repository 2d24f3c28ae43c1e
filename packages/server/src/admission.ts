import { RealtimeError } from './errors.js';

/**
 * A cap on concurrent handshakes and replays per process (docs/protocol.md, Draining and overload): a burst
 * of reconnects is answered `try_again_later` instead of growing memory with every replay at once.
 */
export interface Admission {
  /** Take a slot; throws `try_again_later` (with a spread `retryAfterMs`) when all are taken. Returns its release. */
  enter(): () => void;
  /** Slots taken right now. */
  inFlight(): number;
}

/** Create the cap: `max` slots; refused callers are told to retry within [½, 1½] × `retryAfterMs`. */
export function createAdmission(max: number, retryAfterMs: number, random: () => number = Math.random): Admission {
  let taken = 0;
  return {
    enter() {
      if (taken >= max) {
        // Spread: refused clients must not all come back in the same millisecond either.
        const wait = Math.max(1, Math.round(retryAfterMs * (0.5 + random())));
        throw new RealtimeError('try_again_later', `more than ${max} connections are starting at once; retry in ${wait} ms`, undefined, wait);
      }
      taken++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        taken--;
      };
    },
    inFlight: () => taken,
  };
}
