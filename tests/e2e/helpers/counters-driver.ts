import type { Page } from 'playwright-core';

/** Driver for the stories' counters (`<output data-counter="missing">`). */
export function counters(page: Page) {
  const read = async (name: string): Promise<number> => Number(await page.locator(`output[data-counter="${name}"]`).first().innerText());
  return {
    read,
    /** Read several counters at once. */
    async all(...names: string[]): Promise<Record<string, number>> {
      const values: Record<string, number> = {};
      for (const name of names) values[name] = await read(name);
      return values;
    },
    /** Wait until counter `name` is at least `min`. */
    async waitForAtLeast(name: string, min: number, timeout = 20_000): Promise<void> {
      await page.waitForFunction(
        ({ name: counter, min: least }) => Number(document.querySelector(`output[data-counter="${counter}"]`)?.textContent ?? 'NaN') >= least,
        { name, min },
        { timeout },
      );
    },
    /** Wait until counter `name` equals `value`. */
    async waitForValue(name: string, value: number, timeout = 20_000): Promise<void> {
      await page.waitForFunction(
        ({ name: counter, value: expected }) => Number(document.querySelector(`output[data-counter="${counter}"]`)?.textContent ?? 'NaN') === expected,
        { name, value },
        { timeout },
      );
    },
  };
}
