import type { Page } from 'playwright-core';

/** Driver for `<LiveFeed>` (and lists shaped like it): a `list` with an accessible name, items with `data-offset`. */
export function liveFeed(page: Page, name: string | RegExp) {
  const list = page.getByRole('list', { name, exact: typeof name === 'string' });
  return {
    list,
    /** `data-state` of the list (the connection kind). */
    state: () => list.getAttribute('data-state'),
    /** Offsets of the items, in display order. */
    async offsets(): Promise<number[]> {
      return list.locator('li[data-offset]').evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-offset'))));
    },
    /** Wait until the list holds at least `count` items. */
    async waitForItems(count: number, timeout = 20_000): Promise<void> {
      await list.locator('li').nth(count - 1).waitFor({ state: 'attached', timeout });
    },
    /** Wait until an item with an offset above `offset` shows. */
    async waitForOffsetAbove(offset: number, timeout = 20_000): Promise<void> {
      await page.waitForFunction(
        ({ selector, above }) =>
          [...document.querySelectorAll(selector)].some((item) => Number(item.getAttribute('data-offset')) > above),
        { selector: `ul[aria-label="${typeof name === 'string' ? name : ''}"] li[data-offset]`, above: offset },
        { timeout },
      );
    },
  };
}

/** True when `offsets` (newest-first or oldest-first) step by exactly one: no gap, no repeat. */
export function contiguous(offsets: number[]): boolean {
  if (offsets.length < 2) return true;
  const step = Math.sign((offsets[1] as number) - (offsets[0] as number));
  if (step === 0) return false;
  return offsets.every((offset, index) => index === 0 || offset - (offsets[index - 1] as number) === step);
}
