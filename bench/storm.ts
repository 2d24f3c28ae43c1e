/**
 * Reconnect-storm benchmark (issue 15): real core clients split over several load processes (pinned to one
 * core), the hub in child processes pinned to another. For each broker (memory, Redis) and each way down:
 * - `kill`: SIGKILL the hub process, a new hub process takes the port;
 * - `drain`: `hub.close({ drainMs })` while a new hub process takes the port;
 * it measures the time from the new hub listening to every client live again (every topic re-subscribed),
 * the fullest 100 ms window of reconnects (% of all) and the reconnects per 100 ms, the new hub's peak RSS and
 * event-loop delay, each load process's own event-loop delay (was the observer the bottleneck?), and the
 * messages lost (Redis: a publisher in a third process keeps publishing through the restart; memory: the new
 * hub cannot resume, `recovered: false` is counted instead). Every process stamps times on the same wall
 * clock (`performance.timeOrigin + performance.now()`).
 *
 *   node --import tsx bench/storm.ts                  # 1,000 clients in 4 load processes; writes the `storm`
 *                                                     # key of results.json and the "Reconnect storms" section
 *                                                     # of RESULTS.md
 *   node --import tsx bench/storm.ts --clients=100 --loads=2 --no-write
 *   node --import tsx bench/storm.ts --smoke          # a few clients, writes nothing (the smoke in pnpm test)
 * Other flags: --brokers=memory,redis --ways=kill,drain --drain-ms=1000 --mix=websocket:1
 * --src=HEAD (core and server as committed, see storm-build.ts) --max-handshakes=N (the hub's cap)
 * --load-cpus=0 --hub-cpus=1 (taskset lists; `none` to leave a process unpinned).
 *
 * Prints `STORM_JSON {...}` as its last line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildStormEntries } from './storm-build.js';
import { now } from './storm-crowd.js';
import type { StormRecord, StormTransport } from './storm-crowd.js';
import { isLiveAgain, stormFigures, webSocketQueueing } from './storm-measure.js';
import { endChild, freePort, startChild, stopChild } from './storm-procs.js';
import type { StormChild } from './storm-procs.js';
import { renderStormSection, writeStormSection } from './storm-report.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const smoke = args.includes('--smoke');
const write = !smoke && !args.includes('--no-write');
const here = dirname(fileURLToPath(import.meta.url));
const cpuList = (name: string, fallback: string) => {
  const value = flag(name) ?? (cpus().length > 1 ? fallback : 'none');
  return value === 'none' ? undefined : value;
};

// The coordinator only sends commands and sums up: it stays off the hub's core.
if (!process.env.STORM_PINNED) {
  const pin = cpuList('load-cpus', '0') && (existsSync('/usr/bin/taskset') || existsSync('/bin/taskset')) ? `taskset -c ${cpuList('load-cpus', '0')} ` : '';
  const result = spawnSync('/bin/sh', ['-c', `exec ${pin}"$@"`, 'sh', process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), ...args], {
    stdio: 'inherit',
    env: { ...process.env, STORM_PINNED: '1' },
  });
  process.exit(result.status ?? 1);
}

const config = {
  clients: Number(flag('clients') ?? (smoke ? 9 : 1000)),
  loads: Number(flag('loads') ?? (smoke ? 2 : 4)),
  loadCpus: cpuList('load-cpus', '0') ?? 'none',
  hubCpus: cpuList('hub-cpus', '1') ?? 'none',
  topics: 10,
  ratePerSecond: 100,
  drainMs: Number(flag('drain-ms') ?? 1000),
  // The hub's maxConcurrentHandshakes (its default when not given).
  maxHandshakes: flag('max-handshakes'),
  // --mix=websocket:1 to isolate one transport.
  mix: (flag('mix') ? Object.fromEntries(flag('mix')!.split(',').map((part) => [part.split(':')[0], Number(part.split(':')[1])])) : { websocket: 0.4, 'fetch-sse': 0.4, 'long-poll': 0.2 }) as Record<StormTransport, number>,
  // Longer than the client's minUptimeMs (5 s): every client's failed-attempt count is back to 0 when the hub
  // goes down, as in a crowd that has been up a while. With 2 s, the clients that got try_again_later while the
  // crowd connected still counted one failed attempt and backed off (0-2 s) instead of using the retry window.
  steadyMs: smoke ? 300 : 6000,
  brokers: (flag('brokers') ?? 'memory,redis').split(',') as ('memory' | 'redis')[],
  ways: (flag('ways') ?? 'kill,drain').split(',') as ('kill' | 'drain')[],
};
const topics = Array.from({ length: config.topics }, (_, i) => `storm/${i}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pinned = (list: string) => (list === 'none' ? undefined : list);

/** Poll `ok` every 50 ms until true or `timeoutMs` passed. */
async function until(ok: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) return false;
    await sleep(50);
  }
  return true;
}

const startHub = (file: string, broker: string, port: number, prefix: string) =>
  startChild([file, broker, String(port), prefix, ...(config.maxHandshakes ? [config.maxHandshakes] : [])], pinned(config.hubCpus));

/** The crowd: `config.clients` clients in `config.loads` processes, process n hosting every n-th client. */
async function openCrowd(file: string, url: string): Promise<StormChild[]> {
  const loads = await Promise.all(Array.from({ length: Math.max(1, Math.min(config.loads, config.clients)) }, () => startChild([file], pinned(config.loadCpus))));
  await Promise.all(loads.map((load, n) => load.ask({ cmd: 'open', url, of: n, every: loads.length, total: config.clients, mix: config.mix, topics })));
  return loads;
}
const liveCount = async (loads: StormChild[], from: number) => (await Promise.all(loads.map((load) => load.ask<{ live: number }>({ cmd: 'live', from })))).reduce((sum, answer) => sum + answer.live, 0);

/** One storm: a crowd on hub A, A goes down (`way`), hub B takes the port. */
async function storm(files: { hub: string; load: string }, broker: 'memory' | 'redis', way: 'kill' | 'drain') {
  const port = await freePort();
  const prefix = `storm${process.pid}${broker}${way}${Date.now()}`;
  const hubs: (StormChild | undefined)[] = [];
  let loads: StormChild[] = [];
  try {
    // With Redis the publisher is a third process, so publishing goes on while the hub under test restarts.
    const publisher = broker === 'redis' ? await startHub(files.hub, broker, 0, prefix) : undefined;
    const a = await startHub(files.hub, broker, port, prefix);
    hubs.push(publisher, a);
    await a.ask({ cmd: 'listen' });
    const opened = now();
    loads = await openCrowd(files.load, `http://127.0.0.1:${port}/realtime`);
    if (!(await until(async () => (await liveCount(loads, 0)) === config.clients, 120_000))) throw new Error('bench: the crowd never got live');
    const connectMs = Math.round(now() - opened);
    await (publisher ?? a).ask({ cmd: 'publish', rate: config.ratePerSecond, topics });
    await sleep(config.steadyMs);

    const b = await startHub(files.hub, broker, port, prefix);
    hubs.push(b);
    await b.ask({ cmd: 'stats', reset: true });
    await Promise.all(loads.map((load) => load.ask({ cmd: 'monitor' })));
    const loadAverage = loadavg()[0]!;
    let droppedAt: number;
    let restartAt: number;
    if (way === 'kill') {
      droppedAt = now();
      await stopChild(a);
      await b.ask({ cmd: 'listen' });
      restartAt = now();
    } else {
      if (!publisher) await a.ask({ cmd: 'stopPublish' });
      await a.ask({ cmd: 'unlisten' });
      await b.ask({ cmd: 'listen' });
      restartAt = droppedAt = now();
      await a.ask({ cmd: 'drain', drainMs: config.drainMs });
    }
    if (!publisher) await b.ask({ cmd: 'publish', rate: config.ratePerSecond, topics });
    const allLive = await until(async () => (await liveCount(loads, droppedAt)) === config.clients, smoke ? 20_000 : 60_000);
    await sleep(config.steadyMs);
    const reports = await Promise.all(loads.map((load) => load.ask<{ records: StormRecord[]; eventLoopDelayMs: Record<string, number>; peakRssMb: number; cpuMs: number }>({ cmd: 'report' })));
    const wallMs = now() - droppedAt;
    const crowd = reports.flatMap((report) => report.records);
    const stuck = crowd.filter((record) => !isLiveAgain(record, droppedAt));
    if (stuck.length) console.error(`storm: ${stuck.length} clients not live again, e.g.`, JSON.stringify(stuck.slice(0, 3).map((record) => ({ transport: record.transport, status: record.status, subscribed: Object.values(record.subscribed).map((ts) => ts.map((t) => Math.round(t - droppedAt))), attempts: record.attempts.map((t) => Math.round(t - droppedAt)), opens: record.opens.map((t) => Math.round(t - droppedAt)) }))));
    const server = await b.ask<{ peakRssMb: number; eventLoopDelayMs: Record<string, number>; cpuMs: number; peakHandshakesInFlight: number; maxConcurrentHandshakes: number; handshakeRefusals: number | null; upgrades: number[]; accepts: number[]; historyReads: number; historyMessages: number; historyKeys: number; counts: object }>({ cmd: 'stats' });
    const { lastK } = await (publisher ?? b).ask<{ lastK: Record<string, number> }>({ cmd: 'stopPublish' });
    // Everything published must arrive (bounded wait), then whatever is still missing at the tail counts as lost.
    const caughtUp = async () => (await Promise.all(loads.map((load) => load.ask<{ caughtUp: boolean }>({ cmd: 'caughtUp', lastK })))).every((answer) => answer.caughtUp);
    if (!(await until(caughtUp, 10_000))) console.error('storm: not every message arrived within 10 s of the last publish');
    const final = (await Promise.all(loads.map((load) => load.ask<{ records: StormRecord[] }>({ cmd: 'report' })))).flatMap((report) => report.records);
    let lost = 0;
    for (const record of final) {
      lost += record.lost;
      for (const topic of record.topics) if (record.lastK[topic] !== undefined) lost += Math.max(0, (lastK[topic] ?? 0) - record.lastK[topic]!);
    }
    const figures = stormFigures(crowd, restartAt, droppedAt);
    // STORM_DUMP=<dir>: every client's record of this storm, for a closer look.
    if (process.env.STORM_DUMP) writeFileSync(join(process.env.STORM_DUMP, `${broker}-${way}.json`), JSON.stringify({ droppedAt, restartAt, crowd, upgrades: server.upgrades, accepts: server.accepts }));
    const loadDelays = reports.map((report) => report.eventLoopDelayMs);
    return {
      broker,
      way,
      ...figures,
      allLive,
      restartGapMs: Math.round(restartAt - droppedAt),
      initialConnectMs: connectMs,
      loadAverage1m: Math.round(loadAverage * 100) / 100,
      serverPeakRssMb: server.peakRssMb,
      eventLoopDelayP99Ms: server.eventLoopDelayMs.p99,
      eventLoopDelayMaxMs: server.eventLoopDelayMs.max,
      // CPU used from the drop to the end of the storm (+ steady time), and that wall time: how starved it ran.
      hubCpuMs: server.cpuMs,
      // The new hub's peak of handshakes + replays at once, against its cap.
      hubPeakHandshakesInFlight: server.peakHandshakesInFlight,
      maxConcurrentHandshakes: server.maxConcurrentHandshakes,
      hubHandshakeRefusals: server.handshakeRefusals,
      // History reads the new hub sent its broker from the drop to the end (resumes, long-polls, gap repairs).
      hubHistoryReads: server.historyReads,
      hubHistoryMessages: server.historyMessages,
      hubHistoryKeys: server.historyKeys,
      hubCounts: server.counts,
      webSocketQueueingMs: webSocketQueueing(crowd, server.upgrades, droppedAt),
      loadCpuMs: reports.reduce((sum, report) => sum + report.cpuMs, 0),
      stormWallMs: Math.round(wallMs),
      loadProcesses: loads.length,
      // The worst load process (each is in loadEventLoopDelayMs, with its peak RSS).
      loadEventLoopDelayP99Ms: Math.max(...loadDelays.map((d) => d.p99!)),
      loadEventLoopDelayMaxMs: Math.max(...loadDelays.map((d) => d.max!)),
      loadEventLoopDelayMs: reports.map((report) => ({ ...report.eventLoopDelayMs, peakRssMb: report.peakRssMb, cpuMs: report.cpuMs })),
      published: Object.values(lastK).reduce((sum, k) => sum + k, 0),
      // With the memory broker the new hub has no history: every resume is `recovered: false`, loss is not counted.
      messagesLost: broker === 'redis' ? lost : null,
    };
  } finally {
    await Promise.all(loads.map((load) => load.ask({ cmd: 'close' }).catch(() => undefined)));
    await Promise.all([...loads, ...hubs].map(endChild));
  }
}

const startedAt = new Date();
const loadAtStart = loadavg()[0]!;
/** The results so far (written after every storm, so a run cut short still leaves its figures). */
function report() {
  const results = {
    targets: {
      reconnectPeak100msPercentMax: rows.length ? Math.max(...rows.map((row) => row.reconnectPeak100msPercent ?? 0)) : null,
      timeToLiveP99MsMax: rows.length ? Math.max(...rows.map((row) => row.timeToLiveMs.p99 ?? Infinity)) : null,
      redisMessagesLost: rows.filter((row) => row.broker === 'redis').reduce((sum, row) => sum + (row.messagesLost ?? 0), 0),
    },
    rows,
    failures,
    meta: {
      mode: smoke ? 'smoke' : 'full',
      date: startedAt.toISOString(),
      seconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      command: `node --import tsx bench/storm.ts ${args.join(' ')}`.trim(),
      source: built.source,
      loadAverage1mAtStart: Math.round(loadAtStart * 100) / 100,
      node: process.version,
      cpu: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
      config,
    },
  };
  if (write) {
    const jsonFile = join(here, 'results.json');
    const all = existsSync(jsonFile) ? JSON.parse(readFileSync(jsonFile, 'utf8')) : {};
    all.storm = results;
    writeFileSync(jsonFile, `${JSON.stringify(all, null, 2)}\n`);
    writeStormSection(join(here, 'RESULTS.md'), renderStormSection(results));
  }
  return results;
}
const built = await buildStormEntries(String(process.pid), flag('src'));
const rows: Awaited<ReturnType<typeof storm>>[] = [];
const failures: Record<string, string> = {};
for (const broker of config.brokers) {
  for (const way of config.ways) {
    const started = Date.now();
    try {
      const row = await storm(built, broker, way);
      rows.push(row);
      console.error(`storm: ${broker} ${way} in ${((Date.now() - started) / 1000).toFixed(1)} s ${JSON.stringify(row)}`);
    } catch (error) {
      console.error(`storm: ${broker} ${way} failed:`, error);
      failures[`${broker} ${way}`] = String(error);
    }
    report();
    await sleep(smoke ? 100 : 1000);
  }
}
const results = report();
built.cleanup();
console.log(`STORM_JSON ${JSON.stringify(results)}`);
process.exit(0);
