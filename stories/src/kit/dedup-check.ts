/** What a `sequence` subscription shows about the copies its client dropped by id. */
export interface DedupTotals {
  /**
   * Copies the client dropped: offsets it skipped between two messages whose `n` follow each other. A copy
   * has its own offset (a retried append), so nothing but the client's dedup by id can have dropped it.
   */
  dropped: number;
  /** Position and `n` of the last message the client delivered. */
  offset: number;
  epoch: string;
  n: number;
}

/** Totals before the first message. */
export const EMPTY_DEDUP: DedupTotals = { dropped: 0, offset: 0, epoch: '', n: 0 };

/** Account one delivered `sequence` message. */
export function countDropped(totals: DedupTotals, message: { offset: number; epoch: string; data: { n: number } }): DedupTotals {
  const next = { ...totals, offset: message.offset, epoch: message.epoch, n: message.data.n };
  const follows = totals.n > 0 && totals.epoch === message.epoch && message.data.n === totals.n + 1;
  return follows ? { ...next, dropped: totals.dropped + Math.max(0, message.offset - totals.offset - 1) } : next;
}
