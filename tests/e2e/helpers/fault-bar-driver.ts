import type { Page } from 'playwright-core';

/** Driver for the stories' fault-injection toolbar: press a button by its name, wait for the server's answer. */
export function faultBar(page: Page) {
  const toolbar = page.getByRole('toolbar', { name: 'Fault injection' });
  return {
    toolbar,
    async press(label: string, timeout = 10_000): Promise<void> {
      await toolbar.getByRole('button', { name: label, exact: true }).click();
      await toolbar.getByRole('status').filter({ hasText: `${label}: done` }).waitFor({ timeout });
    },
  };
}
