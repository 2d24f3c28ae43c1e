/**
 * Fuzz suite (issue 9): more than 10,000 generated malformed inputs — WebSocket frames, SSE and long-poll
 * query strings and headers (`Host`, `Last-Event-ID`, cursors), `POST /publish` bodies — against one
 * running hub, while an honest subscriber on every transport follows a numbered sequence.
 * Properties: the process never dies, every input gets a documented answer (fuzz-outcomes.ts; on a
 * WebSocket that survives its frames, every `publish` is answered under its ref), the honest subscribers
 * get every message exactly once and in order, RSS and the retained heap stay bounded, and nothing of the
 * fuzz inputs is left in the hub (connections, topics).
 * Seeded: `FUZZ_SEED=<n>` replays a run (the seed is printed). Helpers: fuzz-hub (the target), fuzz-values /
 * fuzz-ws-inputs / fuzz-http-inputs (generators), fuzz-raw-http / fuzz-raw-ws (senders), fuzz-outcomes (the
 * documented answers), fuzz-honest (the honest subscribers).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { transportNames, until } from './client-fixtures.js';
import { HONEST_TOPIC, startFuzzHub } from './fuzz-hub.js';
import type { FuzzHub } from './fuzz-hub.js';
import { hostRequest, presenceRequest, publishRequest, streamRequest } from './fuzz-http-inputs.js';
import type { RawHttpRequest } from './fuzz-http-inputs.js';
import { createSequence, startHonestSubscribers } from './fuzz-honest.js';
import type { HonestSubscribers } from './fuzz-honest.js';
import { checkHttp, checkWs } from './fuzz-outcomes.js';
import { sendRaw, wireBytes } from './fuzz-raw-http.js';
import { runWsSession } from './fuzz-raw-ws.js';
import { NARROWED } from './fuzz-values.js';
import { wsSession, wsStatefulSession } from './fuzz-ws-inputs.js';
import type { WsSession } from './fuzz-ws-inputs.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
/** Inputs per kind (WebSocket: sessions, of 1-12 frames each). */
const RUNS = { sse: 1800, poll: 2200, publish: 1800, presence: 800, host: 500, wsSessions: 450, wsStateful: 70 } as const;
const CONCURRENCY = 24;
/** One honest message per this many fuzz inputs. */
const SEQUENCE_EVERY = 8;
const ANSWER_MS = 10_000;
const RSS_BUDGET_BYTES = 150 * 1024 * 1024;
/** A kind stops after this many violations: the first ones are reported, the rest would only cost time. */
const MAX_VIOLATIONS_PER_KIND = 25;
/** Past this, no new input is sent: the run reports what it has (and fails if that is under 10,000). */
const SEND_BUDGET_MS = 120_000;
/** Heap still reachable after the run (after a full GC) may exceed the heap before it by this much. */
const RETAINED_BUDGET_BYTES = 32 * 1024 * 1024;

let target: FuzzHub;
let honest: HonestSubscribers;
const fatal: string[] = [];
const onUncaught = (error: unknown) => fatal.push(`uncaughtException: ${String((error as Error)?.stack ?? error).slice(0, 600)}`);
const onRejection = (error: unknown) => fatal.push(`unhandledRejection: ${String((error as Error)?.stack ?? error).slice(0, 600)}`);

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onRejection);
  target = await startFuzzHub();
  honest = await startHonestSubscribers(target.url);
});

afterAll(async () => {
  honest?.close();
  await target?.close();
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onRejection);
});

/** Run `work` over `items`, `concurrency` at a time, until done or `stop()` says so. */
async function pool<T>(items: readonly T[], concurrency: number, stop: () => boolean, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop()) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

/** Heap in use after a full collection: what the process really keeps (RSS also counts garbage). */
function retainedHeap(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

/** Round-robin over the kinds, so a run cut short by the budget still covers every kind. */
function interleave<T>(kinds: [string, T[]][]): (readonly [string, T])[] {
  const longest = Math.max(...kinds.map(([, items]) => items.length));
  return Array.from({ length: longest }, (_, i) => kinds.flatMap(([kind, items]) => (i < items.length ? [[kind, items[i]!] as const] : []))).flat();
}

interface Violation {
  kind: string;
  what: string;
  input: string;
}

test(`fuzz: malformed inputs against one hub never kill it, always get a documented answer, and honest subscribers lose nothing (seed ${SEED})`, { timeout: 200_000 }, async () => {
  const { port, hub } = target;
  const mount = hub.options.path;
  const { maxFrameBytes, maxMessageBytes } = hub.options;
  const wsUrl = `ws://127.0.0.1:${port}${mount}/ws`;
  const sample = <T>(arbitrary: fc.Arbitrary<T>, numRuns: number, offset: number) => fc.sample(arbitrary, { seed: SEED + offset, numRuns });
  const http: [string, RawHttpRequest[]][] = [
    ['sse query + headers', sample(streamRequest('sse', mount), RUNS.sse, 1)],
    ['poll query + cursor + headers', sample(streamRequest('poll', mount), RUNS.poll, 2)],
    ['publish body', sample(publishRequest(mount, maxMessageBytes, maxFrameBytes), RUNS.publish, 3)],
    ['presence body', sample(presenceRequest(mount), RUNS.presence, 7)],
    ['Host header (every endpoint)', sample(hostRequest(mount), RUNS.host, 4)],
  ];
  const ws: [string, WsSession[]][] = [
    ['WebSocket frames', sample(wsSession(maxFrameBytes), RUNS.wsSessions, 5)],
    ['WebSocket stateful sessions', sample(wsStatefulSession, RUNS.wsStateful, 6)],
  ];

  const violations: Violation[] = [];
  const count = (kind: string) => violations.filter((v) => v.kind === kind).length;
  const sendUntil = Date.now() + SEND_BUDGET_MS;
  const overBudget = () => Date.now() > sendUntil;
  const tried: Record<string, number> = {};
  const elapsed = { http: 0, ws: 0 };
  const started = Date.now();
  const heapBefore = retainedHeap();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100);
  const sequence = createSequence(hub);
  let done = 0;
  const progressed = (inputs: number) => {
    done += inputs;
    while (done >= SEQUENCE_EVERY) {
      done -= SEQUENCE_EVERY;
      sequence.tick();
    }
  };

  await Promise.all([
    (async () => {
      for (const [kind] of http) tried[kind] = 0;
      await pool(interleave(http), CONCURRENCY, overBudget, async ([kind, request]) => {
        if (count(kind) >= MAX_VIOLATIONS_PER_KIND) return;
        const outcome = await sendRaw(request, port, ANSWER_MS);
        tried[kind]!++;
        progressed(1);
        const what = checkHttp(request, outcome);
        if (what) violations.push({ kind, what: `${what} (got ${outcome.status ?? '-'} ${outcome.body.slice(0, 100)})`, input: JSON.stringify(wireBytes(request, port).toString('utf8').slice(0, 600)) });
      });
      elapsed.http = Date.now() - started;
    })(),
    (async () => {
      for (const [kind] of ws) tried[kind] = 0;
      await pool(interleave(ws), CONCURRENCY / 2, overBudget, async ([kind, session]) => {
        if (count(kind) >= MAX_VIOLATIONS_PER_KIND) return;
        const outcome = await runWsSession(session, wsUrl, ANSWER_MS);
        tried[kind]! += session.frames.length;
        progressed(session.frames.length);
        const what = checkWs(session, outcome, maxFrameBytes);
        if (what) violations.push({ kind, what, input: JSON.stringify(session).slice(0, 600) });
      });
      elapsed.ws = Date.now() - started;
    })(),
  ]);

  const published = await sequence.stop();
  const total = Object.values(tried).reduce((sum, n) => sum + n, 0);
  const expected = Array.from({ length: published }, (_, i) => i + 1);
  await until(() => transportNames.every((name) => honest.received[name].length >= published), 'the whole sequence on every transport', 15_000).catch(() => undefined);
  // Nothing of the fuzz inputs may stay behind: only the honest connections and their one topic remain.
  const honestOnly = () => {
    const { connections, topics } = hub.stats();
    return connections.ws <= 1 && connections.sse <= 2 && connections.poll <= 1 && Object.keys(topics).every((topic) => topic === HONEST_TOPIC);
  };
  await until(honestOnly, 'fuzz connections and topics released', 10_000).catch(() => undefined);
  const stats = hub.stats();
  clearInterval(sampler);
  const heapAfter = retainedHeap();
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);

  const byKind = new Map<string, Violation[]>();
  for (const violation of violations) byKind.set(violation.kind, [...(byKind.get(violation.kind) ?? []), violation]);
  console.log(
    [
      `[fuzz] seed ${SEED}${NARROWED.size > 0 ? `, narrowed: ${[...NARROWED].join(', ')}` : ''}; inputs tried: ${total} (HTTP ${elapsed.http} ms, WebSocket ${elapsed.ws} ms)`,
      ...Object.entries(tried).map(([kind, n]) => `  ${kind}: ${n} (${byKind.get(kind)?.length ?? 0} violations)`),
      `  honest sequence: ${published} published; received ${JSON.stringify(Object.fromEntries(transportNames.map((n) => [n, honest.received[n].length])))}; drops ${JSON.stringify(honest.drops)}`,
      `  hub after the run: connections ${JSON.stringify(stats.connections)}, ${Object.keys(stats.topics).length} topics, server-side closes ${JSON.stringify(stats.disconnects)}`,
      `  RSS ${mb(rssBefore)} MB before, peak ${mb(rssPeak)} MB; heap after a full GC ${mb(heapBefore)} -> ${mb(heapAfter)} MB; hub onError calls: ${target.hubErrors.length} ${JSON.stringify([...new Set(target.hubErrors.map(String))].slice(0, 3))}`,
      ...[...byKind.values()].flatMap((list) => list.slice(0, 3).map((v) => `  VIOLATION ${v.kind}: ${v.what}\n    input: ${v.input}`)),
    ].join('\n'),
  );

  expect(fatal).toEqual([]);
  expect(total).toBeGreaterThanOrEqual(10_000);
  expect(violations.map((v) => `${v.kind}: ${v.what}`)).toEqual([]);
  for (const name of transportNames) expect(honest.received[name], `${name} got every message exactly once, in order`).toEqual(expected);
  expect(rssPeak - rssBefore).toBeLessThan(RSS_BUDGET_BYTES);
  expect(heapAfter - heapBefore).toBeLessThan(RETAINED_BUDGET_BYTES);
  expect({ connections: stats.connections, topics: Object.keys(stats.topics) }).toEqual({
    connections: { ws: expect.toBeOneOf([0, 1]), sse: expect.toBeOneOf([0, 1, 2]), poll: expect.toBeOneOf([0, 1]) },
    topics: Object.keys(stats.topics).length === 0 ? [] : [HONEST_TOPIC],
  });
});
