/**
 * Reconnect-storm benchmark (issue 15): real core clients in this process (the load), the hub in child
 * processes pinned to another core. For each broker (memory, Redis) and each way down:
 * - `kill`: SIGKILL the hub process, a new hub process takes the port;
 * - `drain`: `hub.close({ drainMs })` while a new hub process takes the port;
 * it measures the time from the new hub listening to every client live again (every topic re-subscribed),
 * the fullest 100 ms window of reconnects (% of all), the new hub's peak RSS and event-loop delay, and the
 * messages lost (Redis: a publisher in a third process keeps publishing through the restart; memory: the new
 * hub cannot resume, `recovered: false` is counted instead).
 *
 *   node --import tsx bench/storm.ts                  # 1,000 clients; writes the `storm` key of results.json
 *                                                     # and the "Reconnect storms" section of RESULTS.md
 *   node --import tsx bench/storm.ts --clients=100 --no-write
 *   node --import tsx bench/storm.ts --smoke          # a few clients, writes nothing (the smoke in pnpm test)
 *
 * Prints `STORM_JSON {...}` as its last line.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildHubEntry } from './build.js';
import { now, openStormCrowd } from './storm-crowd.js';
import type { StormClient, StormTransport } from './storm-crowd.js';
import { isLiveAgain, liveAgainAt, stormFigures } from './storm-measure.js';
import { renderStormSection, writeStormSection } from './storm-report.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const smoke = args.includes('--smoke');
const write = !smoke && !args.includes('--no-write');
const here = dirname(fileURLToPath(import.meta.url));
const hasTaskset = existsSync('/usr/bin/taskset') || existsSync('/bin/taskset');

// Pin the load to core 0 and raise its descriptor limit (1,000 clients, up to two sockets each), once.
if (!process.env.STORM_PINNED) {
  const pin = hasTaskset ? 'taskset -c 0 ' : '';
  const result = spawnSync('/bin/sh', ['-c', `ulimit -n 65536 2>/dev/null; exec ${pin}"$@"`, 'sh', process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), ...args], {
    stdio: 'inherit',
    env: { ...process.env, STORM_PINNED: '1' },
  });
  process.exit(result.status ?? 1);
}

const config = {
  clients: Number(flag('clients') ?? (smoke ? 9 : 1000)),
  topics: 10,
  ratePerSecond: 100,
  drainMs: Number(flag('drain-ms') ?? 1000),
  // --mix=websocket:1 to isolate one transport.
  mix: (flag('mix') ? Object.fromEntries(flag('mix')!.split(',').map((part) => [part.split(':')[0], Number(part.split(':')[1])])) : { websocket: 0.4, 'fetch-sse': 0.4, 'long-poll': 0.2 }) as Record<StormTransport, number>,
  steadyMs: smoke ? 300 : 2000,
  brokers: (flag('brokers') ?? 'memory,redis').split(',') as ('memory' | 'redis')[],
  ways: (flag('ways') ?? 'kill,drain').split(',') as ('kill' | 'drain')[],
};
const topics = Array.from({ length: config.topics }, (_, i) => `storm/${i}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll `ok` every 20 ms until true or `timeoutMs` passed. */
async function until(ok: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) return false;
    await sleep(20);
  }
  return true;
}

/** Plain JavaScript as published (see build.ts: tsx's keepNames would be measured too). */
const buildHub = () => buildHubEntry('storm-hub.ts', `storm-hub-${process.pid}`);

interface HubProcess {
  child: ChildProcess;
  exited: Promise<void>;
  ask<T = Record<string, any>>(command: Record<string, unknown>): Promise<T>;
}

async function startHub(file: string, broker: string, port: number, prefix: string): Promise<HubProcess> {
  const pin = hasTaskset && cpus().length > 1 ? 'taskset -c 1 ' : '';
  const child = spawn('/bin/sh', ['-c', `ulimit -n 65536 2>/dev/null; exec ${pin}"$@"`, 'sh', process.execPath, file, broker, String(port), prefix], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 0;
  const waiting = new Map<number, (answer: any) => void>();
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.on('message', (message: any) => {
    if (message.ready) return onReady();
    waiting.get(message.id)?.(message);
    waiting.delete(message.id);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await Promise.race([ready, exited.then(() => Promise.reject(new Error('bench: storm hub exited before it was ready')))]);
  const ask = <T>(command: Record<string, unknown>) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, (answer) => (answer.error ? reject(new Error(answer.error)) : resolve(answer)));
      child.send({ id, ...command });
      void exited.then(() => reject(new Error(`bench: storm hub exited during ${String(command.cmd)}`)));
    });
  return { child, exited, ask };
}

async function stopHub(hub: HubProcess | undefined): Promise<void> {
  if (!hub || hub.child.exitCode !== null || hub.child.signalCode !== null) return;
  hub.child.kill('SIGKILL');
  await hub.exited;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** One storm: a crowd on hub A, A goes down (`way`), hub B takes the port. */
async function storm(file: string, broker: 'memory' | 'redis', way: 'kill' | 'drain') {
  const port = await freePort();
  const prefix = `storm${process.pid}${broker}${way}${Date.now()}`;
  const hubs: (HubProcess | undefined)[] = [];
  let crowd: StormClient[] = [];
  try {
    // With Redis the publisher is a third process, so publishing goes on while the hub under test restarts.
    const publisher = broker === 'redis' ? await startHub(file, broker, 0, prefix) : undefined;
    const a = await startHub(file, broker, port, prefix);
    hubs.push(publisher, a);
    await a.ask({ cmd: 'listen' });
    const opened = now();
    crowd = openStormCrowd(`http://127.0.0.1:${port}/realtime`, config.clients, config.mix, (i) => [topics[i % topics.length]!]);
    if (!(await until(() => crowd.every((record) => liveAgainAt(record, 0) !== undefined), 120_000))) throw new Error('bench: the crowd never got live');
    const connectMs = Math.round(now() - opened);
    await (publisher ?? a).ask({ cmd: 'publish', rate: config.ratePerSecond, topics });
    await sleep(config.steadyMs);

    const b = await startHub(file, broker, port, prefix);
    hubs.push(b);
    await b.ask({ cmd: 'stats', reset: true });
    // The clients' own process: when its loop lags, every time measured here lags with it.
    const loadDelay = monitorEventLoopDelay({ resolution: 10 });
    loadDelay.enable();
    let droppedAt: number;
    let restartAt: number;
    if (way === 'kill') {
      droppedAt = now();
      await stopHub(a);
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
    const allLive = await until(() => crowd.every((record) => isLiveAgain(record, droppedAt)), smoke ? 20_000 : 60_000);
    const stuck = crowd.filter((record) => !isLiveAgain(record, droppedAt));
    if (stuck.length) console.error(`storm: ${stuck.length} clients not live again, e.g.`, JSON.stringify(stuck.slice(0, 3).map((record) => ({ transport: record.transport, state: record.client.getState(), topics: record.subscriptions.map((sub) => sub.state()), subscribed: [...record.subscribed.values()].map((ts) => ts.map((t) => Math.round(t - droppedAt))), attempts: record.attempts.map((t) => Math.round(t - droppedAt)), opens: record.opens.map((t) => Math.round(t - droppedAt)) }))));
    await sleep(config.steadyMs);
    loadDelay.disable();
    const server = await b.ask<{ peakRssMb: number; eventLoopDelayMs: Record<string, number> }>({ cmd: 'stats' });
    const { lastK } = await (publisher ?? b).ask<{ lastK: Record<string, number> }>({ cmd: 'stopPublish' });
    // Everything published must arrive (bounded wait), then whatever is still missing at the tail counts as lost.
    const caughtUp = () => crowd.every((record) => record.topics.every((topic) => (record.lastK.get(topic) ?? 0) >= (lastK[topic] ?? 0)));
    if (!(await until(caughtUp, 10_000))) console.error('storm: not every message arrived within 10 s of the last publish');
    let lost = 0;
    for (const record of crowd) {
      lost += record.lost;
      for (const topic of record.topics) if (record.lastK.has(topic)) lost += Math.max(0, (lastK[topic] ?? 0) - record.lastK.get(topic)!);
    }
    const figures = stormFigures(crowd, restartAt, droppedAt);
    return {
      broker,
      way,
      ...figures,
      allLive,
      restartGapMs: Math.round(restartAt - droppedAt),
      initialConnectMs: connectMs,
      serverPeakRssMb: server.peakRssMb,
      eventLoopDelayP99Ms: server.eventLoopDelayMs.p99,
      eventLoopDelayMaxMs: server.eventLoopDelayMs.max,
      loadEventLoopDelayP99Ms: Math.round(loadDelay.percentile(99) / 1e5) / 10,
      loadEventLoopDelayMaxMs: Math.round(loadDelay.max / 1e5) / 10,
      published: Object.values(lastK).reduce((sum, k) => sum + k, 0),
      // With the memory broker the new hub has no history: every resume is `recovered: false`, loss is not counted.
      messagesLost: broker === 'redis' ? lost : null,
    };
  } finally {
    for (const record of crowd) record.client.close();
    for (const hub of hubs) await stopHub(hub);
  }
}

const startedAt = new Date();
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
const file = await buildHub();
const rows: Awaited<ReturnType<typeof storm>>[] = [];
const failures: Record<string, string> = {};
for (const broker of config.brokers) {
  for (const way of config.ways) {
    const started = Date.now();
    try {
      const row = await storm(file, broker, way);
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
rmSync(file, { force: true });
console.log(`STORM_JSON ${JSON.stringify(results)}`);
process.exit(0);
