/**
 * `pnpm bench`: every fan-out benchmark, servers in child processes pinned to core 1 and this load generator
 * to core 0 (where `taskset` exists). Writes bench/results.json and bench/RESULTS.md (tables of this run,
 * then bench/FINDINGS.md: the profile and what each change bought), and prints the JSON.
 *
 *   pnpm bench                 # full run (~10 min on 2 cores)
 *   pnpm bench --quick         # same tables, smaller, under two minutes
 *   pnpm bench --smoke         # seconds; writes nothing (what `pnpm test` runs)
 *   pnpm bench --quick --only=fanout,memory --no-write
 *   BENCH_CPU_PROF=/tmp/prof pnpm bench --quick --only=fanout   # CPU profiles of the fan-out servers
 *   BENCH_HEAP_SNAPSHOTS=/tmp/heap pnpm bench --quick --only=memory
 *   BENCH_HUB_SRC=/path/to/old/packages/server/src pnpm bench --quick --no-write   # another copy of the hub
 *   pnpm bench --render        # RESULTS.md again from results.json + FINDINGS.md
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { buildServer } from './build.js';
import { useServerBuild } from './load.js';
import { renderResults } from './report.js';
import { fanout, idleMemory, latency, overload } from './scenarios.js';
import { brokers, manyTopics } from './scenarios-scale.js';
import type { BenchConfig } from './scenarios.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const smoke = args.includes('--smoke');
const write = !smoke && !args.includes('--no-write');
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const runs = (name: string) => !only || only.includes(name);

/**
 * Sections other benchmarks own in RESULTS.md (`<!-- storm:start -->` ... `<!-- storm:end -->`, the browser
 * bench's, any other marked one), kept in their order after this benchmark's part.
 */
function keptSections(previous: string): string {
  return [...previous.matchAll(/<!-- ([\w-]+):start -->[\s\S]*?<!-- \1:end -->\n?/g)].map((m) => `\n${m[0]}`).join('');
}

// `--render`: rewrite RESULTS.md from results.json and FINDINGS.md, measuring nothing.
if (args.includes('--render')) {
  const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
  const kept = keptSections(readFileSync(here('./RESULTS.md'), 'utf8'));
  writeFileSync(here('./RESULTS.md'), `${renderResults(JSON.parse(readFileSync(here('./results.json'), 'utf8')), readFileSync(here('./FINDINGS.md'), 'utf8'))}${kept}`);
  process.exit(0);
}

// Pin the load generator to core 0 and raise its descriptor limit (10k sockets), once.
if (!process.env.BENCH_PINNED) {
  const pin = existsSync('/usr/bin/taskset') ? 'taskset -c 0 ' : '';
  const result = spawnSync('/bin/sh', ['-c', `ulimit -n 65536 2>/dev/null; exec ${pin}"$@"`, 'sh', process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), ...args], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_PINNED: '1' },
  });
  process.exit(result.status ?? 1);
}

const full: BenchConfig = {
  rounds: 3,
  subscribers: 1000,
  messages: 400,
  batch: 20,
  size: 85,
  idleCounts: [1000, 10_000],
  latencySeconds: 5,
  overloadSubscribers: 100,
  overloadSeconds: 10,
  manyTopics: { connections: 1000, topicsPerConnection: 100, messages: 10_000 },
  oneToMany: { topics: 1000, messages: 10_000 },
  brokers: ['redis', 'nats'],
};
const config: BenchConfig = smoke
  ? { ...full, rounds: 1, subscribers: 10, messages: 40, idleCounts: [20], latencySeconds: 0.3, overloadSubscribers: 10, overloadSeconds: 0.3, manyTopics: { connections: 10, topicsPerConnection: 10, messages: 100 }, oneToMany: { topics: 20, messages: 100 } }
  : quick
    ? { ...full, rounds: 1, subscribers: 300, messages: 400, idleCounts: [1000], latencySeconds: 2, overloadSubscribers: 100, overloadSeconds: 3, manyTopics: { connections: 200, topicsPerConnection: 50, messages: 5000 }, oneToMany: { topics: 1000, messages: 5000 } }
    : full;
config.cpuProf = process.env.BENCH_CPU_PROF;

// The server under test as plain JavaScript (see build.ts); BENCH_HUB_SRC measures another copy of the hub.
useServerBuild(await buildServer(process.env.BENCH_HUB_SRC ? 'other' : 'current', process.env.BENCH_HUB_SRC));
const startedAt = new Date();
const failures: Record<string, string> = {};
/** Run one benchmark when selected, with its time on stderr (progress; stdout ends with the JSON). */
async function step<T>(name: string, run: () => Promise<T>): Promise<T | undefined> {
  if (!runs(name)) return undefined;
  const started = Date.now();
  try {
    const result = await run();
    console.error(`bench: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s ${JSON.stringify(result)}`);
    return result;
  } catch (error) {
    // One broken benchmark (a broker down) must not lose the others: the report shows the error.
    console.error(`bench: ${name} failed after ${((Date.now() - started) / 1000).toFixed(1)} s:`, error);
    failures[name] = String(error);
    return undefined;
  }
}
const fan = await step('fanout', () => fanout(config));
const memory = await step('memory', () => idleMemory(config, process.env.BENCH_HEAP_SNAPSHOTS));
const saturation = { sse: fan?.hubSseDeliveriesPerSecond ?? 100_000, websocket: fan?.hubWsDeliveriesPerSecond ?? 100_000 };
const lat = await step('latency', () => latency(config, saturation));
const over = await step('overload', () => overload(config));
const topics = await step('topics', () => manyTopics(config));
const brokerRows = await step('brokers', () => brokers(config));

let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
} catch {
  // Not a git checkout: the report says so.
}
const results = {
  sseVsRaw: fan?.sseVsRaw ?? null,
  sseVsBetterSse: fan?.sseVsBetterSse ?? null,
  wsVsNaiveWs: fan?.wsVsNaiveWs ?? null,
  wsVsRawSse: fan?.wsVsRawSse ?? null,
  sseRssPerConnKb: memory?.sseRssPerConnKb ?? null,
  wsRssPerConnKb: memory?.wsRssPerConnKb ?? null,
  overloadPeakRssMb: over?.peakRssMb ?? null,
  sseRssMarginalKb: memory?.sseRssMarginalKb ?? null,
  wsRssMarginalKb: memory?.wsRssMarginalKb ?? null,
  failures,
  meta: {
    mode: smoke ? 'smoke' : quick ? 'quick' : 'full',
    date: startedAt.toISOString(),
    seconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    command: `pnpm bench ${args.join(' ')}`.trim(),
    node: process.version,
    cpu: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    commit,
    config,
  },
  fanout: fan,
  memory,
  latency: lat,
  overload: over,
  manyTopics: topics,
  brokers: brokerRows,
};
if (write) {
  const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
  // The reconnect-storm benchmark (storm.ts) owns the `storm` key and its section: keep them.
  const previous = existsSync(here('./results.json')) ? JSON.parse(readFileSync(here('./results.json'), 'utf8')) : {};
  writeFileSync(here('./results.json'), `${JSON.stringify({ ...results, storm: previous.storm }, null, 2)}\n`);
  const findings = existsSync(here('./FINDINGS.md')) ? readFileSync(here('./FINDINGS.md'), 'utf8') : '';
  const kept = existsSync(here('./RESULTS.md')) ? keptSections(readFileSync(here('./RESULTS.md'), 'utf8')) : '';
  writeFileSync(here('./RESULTS.md'), `${renderResults(results, findings)}${kept}`);
}
console.log(`BENCH_JSON ${JSON.stringify(results)}`);
process.exit(0);
