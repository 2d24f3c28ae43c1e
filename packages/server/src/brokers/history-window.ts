import type { Envelope } from '@qwik-realtime/core/protocol';

/** Bounds of a {@link HistoryWindow}: whichever is reached first trims the oldest messages. */
export interface HistoryWindowLimits {
  maxBytes: number;
  maxAgeMs: number;
  maxCount: number;
}

/** One topic's stored messages, oldest first, with consecutive offsets. */
export interface HistoryWindow {
  /** Append the topic's next message, stored at `at` (ms); trims what falls out of the limits. */
  push(message: Envelope, at: number): void;
  /** Drop messages older than the age limit at `at`. */
  trim(at: number): void;
  /** Oldest offset still stored (`head + 1` when none is). */
  oldestOffset(head: number): number;
  /** Messages with offsets `from..to` (both stored). */
  range(from: number, to: number): Envelope[];
  /** The newest `n` messages. */
  last(n: number): Envelope[];
  count(): number;
  bytes(): number;
}

interface Entry {
  message: Envelope;
  at: number;
  bytes: number;
}

/** Compact the backing array once this many trimmed slots lead it (and they are most of it). */
const COMPACT_AT = 1024;

/** A history window bounded by bytes (of each message's JSON), age and an optional count. */
export function createHistoryWindow(limits: HistoryWindowLimits): HistoryWindow {
  let entries: Entry[] = [];
  let start = 0;
  let bytes = 0;

  const dropFirst = () => {
    bytes -= (entries[start] as Entry).bytes;
    entries[start] = undefined as unknown as Entry;
    start++;
  };

  const compact = () => {
    if (start === entries.length) {
      entries = [];
      start = 0;
    } else if (start >= COMPACT_AT && start * 2 >= entries.length) {
      entries = entries.slice(start);
      start = 0;
    }
  };

  const trim = (at: number) => {
    const cutoff = at - limits.maxAgeMs;
    while (start < entries.length && (entries[start] as Entry).at < cutoff) dropFirst();
    compact();
  };

  return {
    push(message, at) {
      const size = Buffer.byteLength(JSON.stringify(message));
      entries.push({ message, at, bytes: size });
      bytes += size;
      while (start < entries.length && (bytes > limits.maxBytes || entries.length - start > limits.maxCount)) dropFirst();
      trim(at);
    },
    trim,
    oldestOffset(head) {
      return start < entries.length ? (entries[start] as Entry).message.offset : head + 1;
    },
    range(from, to) {
      const first = start < entries.length ? (entries[start] as Entry).message.offset : 0;
      const out: Envelope[] = [];
      for (let offset = from; offset <= to; offset++) out.push((entries[start + offset - first] as Entry).message);
      return out;
    },
    last(n) {
      const count = Math.min(Math.max(0, Math.floor(n)), entries.length - start);
      return entries.slice(entries.length - count).map((entry) => entry.message);
    },
    count: () => entries.length - start,
    bytes: () => bytes,
  };
}
