/**
 * `node --import tsx bench/browser-run.ts [--smoke | --quick] [--no-write] [--rates=5000,20000] [--hosts=main,worker,seed]`: high-rate feeds in headless Chromium.
 * tests/qwik-app (production build under `vite preview`, else vite dev) with the hub publishing `{ seq, t }`
 * through `hub.publish` at 5k..50k msg/s for 2 s, into a page with a LiveFeed (limit 50) and a seq probe
 * (`useSubscription$`), for every transport with the main-thread host and the worker host, and the seed's
 * naive pattern (one EventSource, the array replaced per message) on the same page host in the same run.
 * Measures fps and long tasks over the burst, messages received vs published, and publish-to-DOM lag
 * (newest item rendered). Writes the `browser` key of bench/results.json and its section of RESULTS.md, and
 * the same on their own in bench/browser-results.{json,md}.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../tests/e2e/helpers/browser.js';
import { highRate } from '../tests/e2e/helpers/high-rate-driver.js';
import { startQwikApp } from '../tests/e2e/qwik-app.js';
import { installMeters, readMeters, renderBrowserSection, type BrowserRow } from './browser-meters.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
// `--smoke` (what `pnpm test` runs): one low rate, a short burst, WebSocket only, nothing written; fails on any error or loss.
const smoke = args.includes('--smoke');
const write = !smoke && !args.includes('--no-write');
const rateArg = args.find((a) => a.startsWith('--rates='))?.slice(8);
const RATES = rateArg ? rateArg.split(',').map(Number) : smoke ? [1000] : quick ? [5000, 20_000] : [5000, 10_000, 20_000, 30_000, 50_000];
const hostArg = args.find((a) => a.startsWith('--hosts='))?.slice(8).split(',');
const BURST_MS = smoke ? 500 : 2000;
type Variant = { host: 'main' | 'worker' | 'seed'; transport: string };
const VARIANTS = (<Variant[]>[
  ...(['main', 'worker'] as const).flatMap((host) => ['websocket', 'sse', 'fetch-sse', 'long-poll'].map((transport) => ({ host, transport }))),
  { host: 'seed', transport: 'sse' },
]).filter((variant) => (!hostArg || hostArg.includes(variant.host)) && (!smoke || variant.transport === 'websocket' || variant.host === 'seed'));
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

const preview = existsSync(here('../tests/qwik-app/dist/q-manifest.json'));
const loadAtStart = loadavg();
const app = await startQwikApp(preview ? { mode: 'preview' } : {});
const browser = await launchBrowser();
const rows: BrowserRow[] = [];
let run = 0;
try {
  for (const rate of RATES) {
    for (const variant of VARIANTS) {
      const topic = `bench-${run++}-${variant.host}-${variant.transport}`;
      const tab = await browser.newPage();
      const driver = highRate(app, tab.page);
      try {
        await driver.open({ topic, transport: variant.transport, host: variant.host });
        await installMeters(tab.page);
        const { published } = await driver.burst({ topic, rate, ms: BURST_MS });
        const burstEnd = Date.now();
        // Wait for the stragglers: until everything arrived, or 3 s without progress (a cut feed).
        let last = -1;
        let still = Date.now();
        for (;;) {
          const probe = await driver.probe();
          if (probe.last >= published) break;
          if (probe.last !== last) (last = probe.last), (still = Date.now());
          if (Date.now() - still > 3000 || Date.now() - burstEnd > 20_000) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const meters = await readMeters(tab.page);
        const probe = await driver.probe();
        rows.push({ rate, host: variant.host, transport: variant.transport, published, received: probe.count, gaps: probe.gaps, duplicates: probe.duplicates, ...meters });
        console.log(JSON.stringify(rows.at(-1)));
      } catch (error) {
        rows.push({ rate, host: variant.host, transport: variant.transport, published: 0, received: 0, gaps: 0, duplicates: 0, fps: 0, longTaskMs: 0, maxLongTaskMs: 0, lagP50: 0, lagP99: 0, error: String(error).slice(0, 200) });
        console.log('error', variant, rate, String(error).slice(0, 200));
      } finally {
        await tab.close();
      }
    }
  }
} finally {
  await browser.close();
  await app.stop();
}

if (smoke) {
  const bad = rows.filter((row) => row.error || row.received !== row.published || row.gaps || row.duplicates);
  if (bad.length) {
    console.error('browser bench smoke failed:', JSON.stringify(bad));
    process.exit(1);
  }
  console.log(`browser bench smoke: ${rows.length} variants, every message received`);
}

if (write) {
  const meta = { date: new Date().toISOString(), appMode: preview ? 'preview' : 'dev', burstMs: BURST_MS, quick, load: { start: loadAtStart, end: loadavg() } };
  const jsonPath = here('./results.json');
  const results = existsSync(jsonPath) ? (JSON.parse(readFileSync(jsonPath, 'utf8')) as Record<string, unknown>) : {};
  results.browser = { ...meta, rows };
  writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  const mdPath = here('./RESULTS.md');
  const markdown = existsSync(mdPath) ? readFileSync(mdPath, 'utf8') : '# Benchmark results\n';
  const start = '<!-- browser-bench:start -->';
  const end = '<!-- browser-bench:end -->';
  const section = `${start}\n${renderBrowserSection(rows, meta)}\n${end}`;
  const updated = markdown.includes(start) ? markdown.replace(new RegExp(`${start}[\\s\\S]*${end}`), section) : `${markdown.trimEnd()}\n\n${section}\n`;
  writeFileSync(mdPath, updated);
  // The same, on their own: RESULTS.md and results.json are regenerated whole by `pnpm bench`.
  writeFileSync(here('./browser-results.json'), `${JSON.stringify({ ...meta, rows }, null, 2)}\n`);
  writeFileSync(here('./browser-results.md'), `${renderBrowserSection(rows, meta)}\n`);
}
