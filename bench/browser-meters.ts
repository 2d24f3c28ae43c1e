import type { TrackedPage } from '../tests/e2e/helpers/browser.js';

type Page = TrackedPage['page'];

/** One measured run: a variant (host, transport) at a rate. */
export interface BrowserRow {
  rate: number;
  host: 'main' | 'worker' | 'seed';
  transport: string;
  published: number;
  /** Messages that reached `useSubscription$` (or the seed's handler). */
  received: number;
  gaps: number;
  duplicates: number;
  /** Animation frames per second from the burst's start to the last message (or the give-up). */
  fps: number;
  longTaskMs: number;
  maxLongTaskMs: number;
  /** Publish-to-DOM lag of the newest rendered item, sampled at every render of the list. */
  lagP50: number;
  lagP99: number;
  error?: string;
}

/** Start counting frames, long tasks and DOM lag in the page (call right before the burst). */
/**
 * The meters, as source text: code evaluated in the page must not go through this file's transpiler (it
 * adds helpers such as `__name` that the page does not have).
 */
const METERS_SOURCE = `(() => {
  const meter = { frames: 0, start: performance.now(), end: 0, longTasks: [], lags: [] };
  window.__meter = meter;
  const tick = () => {
    if (meter.end) return;
    meter.frames++;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) meter.longTasks.push(entry.duration);
  }).observe({ type: 'longtask' });
  const list = document.querySelector('ul[aria-label="high-rate feed"]');
  if (!list) return;
  new MutationObserver(() => {
    const now = Date.now();
    let t = 0;
    for (const item of [list.firstElementChild, list.lastElementChild]) {
      const match = item ? /"t":(\\d+)/.exec(item.textContent || '') : null;
      if (match) t = Math.max(t, Number(match[1]));
    }
    if (t) meter.lags.push(now - t);
  }).observe(list, { childList: true, subtree: true, characterData: true });
})()`;

/** Start counting frames, long tasks and DOM lag in the page (call right before the burst). */
export async function installMeters(page: Page): Promise<void> {
  await page.evaluate(METERS_SOURCE);
}

const percentile = (values: number[], p: number) => {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
};

/** Stop the meters and read them. */
export async function readMeters(page: Page): Promise<Pick<BrowserRow, 'fps' | 'longTaskMs' | 'maxLongTaskMs' | 'lagP50' | 'lagP99'>> {
  const meter = (await page.evaluate('(() => { const m = window.__meter; m.end = performance.now(); return m; })()')) as {
    frames: number;
    start: number;
    end: number;
    longTasks: number[];
    lags: number[];
  };
  const seconds = (meter.end - meter.start) / 1000;
  return {
    fps: Math.round((meter.frames / seconds) * 10) / 10,
    longTaskMs: Math.round(meter.longTasks.reduce((sum, d) => sum + d, 0)),
    maxLongTaskMs: Math.round(Math.max(0, ...meter.longTasks)),
    lagP50: percentile(meter.lags, 50),
    lagP99: percentile(meter.lags, 99),
  };
}

/** The RESULTS.md section: one table per rate, plus the highest rate each variant kept at 50 fps with no loss. */
export function renderBrowserSection(
  rows: BrowserRow[],
  meta: { date: string; appMode: string; burstMs: number; quick: boolean; load?: { start: number[]; end: number[] } },
): string {
  const loads = (values: number[]) => values.map((value) => value.toFixed(1)).join(' / ');
  const load = meta.load ? ` Load average (1 / 5 / 15 min; the machine is shared): ${loads(meta.load.start)} at the start, ${loads(meta.load.end)} at the end.` : '';
  const lines = [
    '## High-rate feeds in Chromium (bench/browser-run.ts)',
    '',
    `${meta.date}, tests/qwik-app under vite ${meta.appMode}, headless Chromium, hub and browser on the same 2-core machine, ${meta.burstMs / 1000} s bursts through \`hub.publish\`${meta.quick ? ' (quick run)' : ''}.${load}`,
    '`received` = messages that reached `useSubscription$` (seed: its onmessage), must equal `published`; fps over the burst and its tail; long tasks from PerformanceObserver; lag = publish to the newest item in the DOM.',
    '',
    '| rate msg/s | host | transport | published | received | gaps | fps | long tasks ms (max) | lag p50 / p99 ms |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const note = row.error ? ` (error: ${row.error.replace(/\|/g, '/').slice(0, 80)})` : '';
    lines.push(
      `| ${row.rate} | ${row.host} | ${row.transport} | ${row.published} | ${row.received}${note} | ${row.gaps} | ${row.fps} | ${row.longTaskMs} (${row.maxLongTaskMs}) | ${row.lagP50} / ${row.lagP99} |`,
    );
  }
  lines.push('', '| host | transport | highest rate with no loss and >= 50 fps |', '|---|---|---|');
  const variants = [...new Set(rows.map((row) => `${row.host}|${row.transport}`))];
  for (const variant of variants) {
    const [host, transport] = variant.split('|');
    const good = rows.filter((row) => `${row.host}|${row.transport}` === variant && !row.error && row.received === row.published && row.gaps === 0 && row.fps >= 50);
    lines.push(`| ${host} | ${transport} | ${good.length ? Math.max(...good.map((row) => row.rate)) : 'none'} |`);
  }
  return lines.join('\n');
}
