/** Running totals of a `sequence` subscription: what arrived, what is missing, what came twice. */
export interface SequenceTotals {
  received: number;
  /** Numbers skipped while the server claimed continuity (should stay 0). */
  missing: number;
  /** Numbers seen more than once (should stay 0: the client drops duplicates by id). */
  duplicates: number;
  /** Numbers lost across a `recovered: false` (expected: the server said so). */
  lostAcknowledged: number;
  last: number;
}

/** Totals before the first message. */
export const EMPTY_TOTALS: SequenceTotals = { received: 0, missing: 0, duplicates: 0, lostAcknowledged: 0, last: 0 };

/**
 * Account one `sequence` number. `gapExpected` is true right after a `recovered: false`, when a jump is
 * what the server announced rather than a loss.
 */
export function countSequence(totals: SequenceTotals, n: number, gapExpected: boolean): SequenceTotals {
  const next = { ...totals, received: totals.received + 1 };
  if (totals.last === 0) return { ...next, last: n };
  if (n <= totals.last) return { ...next, duplicates: totals.duplicates + 1 };
  const skipped = n - totals.last - 1;
  if (gapExpected) return { ...next, lostAcknowledged: totals.lostAcknowledged + skipped, last: n };
  return { ...next, missing: totals.missing + skipped, last: n };
}
