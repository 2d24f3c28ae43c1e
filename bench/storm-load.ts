/**
 * Load process of the reconnect-storm benchmark (storm.ts): hosts one slice of the crowd of real core clients
 * and reports every client's record (times on the shared wall clock, `performance.timeOrigin +
 * performance.now()`) and its own event-loop delay, so a reader can tell a storm on the wire from a stall of
 * the observer. Built by storm.ts into plain JavaScript like the hub, run as `node .build/storm-load.mjs`.
 * Commands (see storm-procs.ts):
 * - `open` `{ url, of, every, total, mix, topics }`: open clients `of`, `of + every`, ... of `total`, client
 *   i on `topics[i % topics.length]`;
 * - `live` `{ from }`: how many clients are live again after `from` (0: live at all);
 * - `monitor`: start measuring the event-loop delay (and peak RSS) from now;
 * - `report`: every client's record, the event-loop delay, peak RSS and CPU time used since `monitor`;
 * - `caughtUp` `{ lastK }`: whether every client saw the last `k` published on each of its topics;
 * - `close`: close every client.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openStormCrowd, snapshot } from './storm-crowd.js';
import type { StormClient } from './storm-crowd.js';
import { isLiveAgain, liveAgainAt } from './storm-measure.js';
import { serveCommands } from './storm-procs.js';

let crowd: StormClient[] = [];
const delay = monitorEventLoopDelay({ resolution: 10 });
let peakRss = 0;
let cpuFrom = process.cpuUsage();
setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 250).unref();
const ms = (ns: number) => Math.round(ns / 1e5) / 10;

serveCommands(async (command) => {
  switch (command.cmd) {
    case 'open': {
      const { url, of, every, total, mix, topics } = command;
      crowd = openStormCrowd(url, { of, every, total }, mix, (i) => [topics[i % topics.length]]);
      return {};
    }
    case 'live': {
      const from = Number(command.from);
      const records = crowd.map(snapshot);
      return { live: records.filter((record) => (from === 0 ? liveAgainAt(record, 0) !== undefined : isLiveAgain(record, from))).length };
    }
    case 'monitor':
      delay.reset();
      delay.enable();
      peakRss = process.memoryUsage.rss();
      cpuFrom = process.cpuUsage();
      return {};
    case 'report': {
      delay.disable();
      const cpu = process.cpuUsage(cpuFrom);
      return {
        records: crowd.map(snapshot),
        eventLoopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
        peakRssMb: Math.round(Math.max(peakRss, process.memoryUsage.rss()) / 2 ** 20),
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      };
    }
    case 'caughtUp': {
      const lastK: Record<string, number> = command.lastK;
      return { caughtUp: crowd.every((client) => client.topics.every((topic) => (client.lastK.get(topic) ?? 0) >= (lastK[topic] ?? 0))) };
    }
    case 'close':
      for (const client of crowd) client.client.close();
      crowd = [];
      return {};
  }
  throw new Error(`storm-load: unknown command ${command.cmd}`);
});
