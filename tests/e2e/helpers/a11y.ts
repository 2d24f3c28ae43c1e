import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** One accessibility problem: the axe rule and the elements it flagged. */
export interface A11yViolation {
  rule: string;
  impact: string | null;
  targets: string[];
}

/**
 * Run axe-core (WCAG 2 A/AA rules) on `selector` and return the serious and critical violations.
 * `region` is off: a story renders a fragment, not a page with landmarks.
 */
export async function axeViolations(page: Page, selector = '#storybook-root'): Promise<A11yViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async (root) => {
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(root, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, rules: { region: { enabled: false } } });
    return result.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({ rule: violation.id, impact: violation.impact, targets: violation.nodes.map((node) => node.target.join(' ')) }));
  }, selector);
}

/**
 * The roles and names the components promise: every status badge is a polite live region, every list of
 * messages and every button has an accessible name. Returns what is wrong, as readable lines.
 */
export async function roleProblems(page: Page, selector = '#storybook-root'): Promise<string[]> {
  return page.evaluate((root) => {
    const scope = document.querySelector(root) ?? document.body;
    const problems: string[] = [];
    const nameOf = (element: Element) =>
      (element.getAttribute('aria-label') ??
        (element.getAttribute('aria-labelledby') ? document.getElementById(element.getAttribute('aria-labelledby') as string)?.textContent : null) ??
        element.textContent ??
        '').trim();
    for (const badge of scope.querySelectorAll('[data-state][role]')) {
      if (badge.getAttribute('role') !== 'status') problems.push(`badge with data-state has role ${badge.getAttribute('role')}`);
      if (badge.getAttribute('aria-live') !== 'polite') problems.push('status badge is not aria-live="polite"');
    }
    for (const list of scope.querySelectorAll('ul[data-topic]')) if (!list.getAttribute('aria-label')) problems.push(`list of ${list.getAttribute('data-topic')} has no accessible name`);
    for (const button of scope.querySelectorAll('button')) if (!nameOf(button)) problems.push('a button has no accessible name');
    for (const input of scope.querySelectorAll('input')) {
      const labelled = input.id && scope.querySelector(`label[for="${input.id}"]`);
      if (!labelled && !input.getAttribute('aria-label')) problems.push(`input ${input.id || '(no id)'} has no label`);
    }
    for (const output of scope.querySelectorAll('output[data-counter]')) if (!nameOf(output)) problems.push(`counter ${output.getAttribute('data-counter')} has no name`);
    return problems;
  }, selector);
}
