/** Collects items and hands them over in one batch per animation frame. */
export interface FrameBuffer<T> {
  push(items: readonly T[]): void;
  /** Apply what is pending now (used on cleanup paths that must not lose data). */
  flush(): void;
  /** Drop what is pending and stop. */
  cancel(): void;
}

/** Longest wait when no animation frame comes (hidden tab, Node): hidden tabs throttle it to ~1 s. */
const FALLBACK_MS = 100;

/**
 * Coalesce inbound messages so state is written at most once per animation frame, however fast they
 * arrive. A timer backs the frame up, because hidden tabs run no frames and the buffer must not grow
 * unbounded there. `cap` keeps only the newest items pending (a feed showing 50 needs no more).
 */
export function createFrameBuffer<T>(apply: (items: T[]) => void, cap = Infinity): FrameBuffer<T> {
  let pending: T[] = [];
  let frame: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const unschedule = () => {
    if (frame !== undefined) globalThis.cancelAnimationFrame?.(frame);
    if (timer !== undefined) clearTimeout(timer);
    frame = undefined;
    timer = undefined;
  };

  const flush = () => {
    unschedule();
    if (pending.length === 0) return;
    const items = pending;
    pending = [];
    apply(items);
  };

  const schedule = () => {
    if (frame !== undefined || timer !== undefined) return;
    if (typeof globalThis.requestAnimationFrame === 'function') frame = globalThis.requestAnimationFrame(flush);
    timer = setTimeout(flush, FALLBACK_MS);
  };

  return {
    push(items) {
      if (stopped || items.length === 0) return;
      for (const item of items) pending.push(item);
      if (pending.length > cap) pending = pending.slice(pending.length - cap);
      schedule();
    },
    flush,
    cancel() {
      stopped = true;
      unschedule();
      pending = [];
    },
  };
}
