import { clientError } from './errors.js';
import type { Envelope } from './protocol/envelope.js';
import type { Listener, TopicEntry } from './topic-entry.js';

/** Collects accepted messages per topic and hands them to the listeners in batches. */
export interface Delivery {
  /** Queue `message` for `entry`'s listeners. */
  push(entry: TopicEntry, message: Envelope): void;
  /** Schedule a flush of everything queued (once per batch). */
  schedule(): void;
  /** Drop what is queued for `entry` (it was removed). */
  forget(entry: TopicEntry): void;
  /** Drop everything queued. */
  clear(): void;
}

/**
 * Create the delivery: one scheduled flush per batch (`scheduleBatch`), validation per listener, and
 * `call` around every callback so one throwing listener does not starve the others.
 */
export function createDelivery(scheduleBatch: (flush: () => void) => void, call: (run: () => void) => void): Delivery {
  const dirty = new Set<TopicEntry>();
  let queued = false;

  const deliver = (listener: Listener, batch: Envelope[], topic: string) => {
    const { validate, onBatch, onMessage, onError } = listener.options;
    let out = batch;
    if (validate) {
      out = [];
      for (const message of batch) {
        try {
          out.push({ ...message, data: validate(message.data) });
        } catch (error) {
          call(() => onError?.(clientError('bad_request', `@qwik-realtime/core: validation failed: ${String(error)}`, topic)));
        }
      }
    }
    if (!out.length) return;
    if (onBatch) call(() => onBatch(out));
    if (onMessage) for (const message of out) call(() => listener.active && onMessage(message));
  };

  const flush = () => {
    queued = false;
    for (const entry of [...dirty]) {
      dirty.delete(entry);
      const batch = entry.pending;
      entry.pending = [];
      for (const listener of [...entry.listeners]) if (listener.active) deliver(listener, batch, entry.topic);
    }
  };

  return {
    push(entry, message) {
      entry.pending.push(message);
      dirty.add(entry);
    },
    schedule() {
      if (!dirty.size || queued) return;
      queued = true;
      scheduleBatch(flush);
    },
    forget(entry) {
      dirty.delete(entry);
    },
    clear() {
      dirty.clear();
    },
  };
}
