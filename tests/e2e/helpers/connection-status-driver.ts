import type { Locator, Page } from 'playwright-core';

/** What `<ConnectionStatus>` can show (its `data-state`). */
export type StatusKind = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'error';

/**
 * Driver for `<ConnectionStatus>`: found by its role (`status`) and `data-state`, the way a user or a
 * screen reader meets it.
 */
export function connectionStatus(page: Page, scope: Locator | Page = page) {
  const badge = scope.locator('[role="status"][data-state]').first();
  return {
    badge,
    /** The current kind. */
    async kind(): Promise<StatusKind> {
      return (await badge.getAttribute('data-state')) as StatusKind;
    },
    /** The visible text, e.g. "Reconnecting in 3 s". */
    text: () => badge.innerText(),
    /** Wait until the badge shows `kind` (polls the DOM; fails after `timeout`). */
    async waitFor(kind: StatusKind, timeout = 20_000): Promise<void> {
      await scope.locator(`[role="status"][data-state="${kind}"]`).first().waitFor({ state: 'visible', timeout });
    },
  };
}
