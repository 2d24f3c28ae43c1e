/**
 * What the rolling-restart test measured: per broker, messages published, delivered per subscriber, lost,
 * duplicated, out of order, `recovered: false`, and the reconnect time distribution.
 */
import type { RealtimeClient } from '@qwik-realtime/core';

/** One core client of the test and what it saw. */
export interface Subscriber {
  name: string;
  client: RealtimeClient;
  /** Message ids per topic, in arrival order. */
  received: Map<string, string[]>;
  /** Topics that got `recovered: false`, once per occurrence. */
  unrecovered: string[];
  /** Time from each connection drop to every topic live again, ms. */
  reconnects: number[];
  live(): boolean;
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! : 0);

/** Compare what each subscriber got with what was published; `failures` is empty when nothing went wrong. */
export function summarize(broker: string, published: Map<string, string[]>, subscribers: Subscriber[], elapsedMs: number) {
  const failures: string[] = [];
  const total = [...published.values()].reduce((sum, ids) => sum + ids.length, 0);
  let lost = 0;
  let duplicated = 0;
  let misordered = 0;
  const delivered: number[] = [];
  subscribers.forEach((s, index) => {
    let count = 0;
    for (const [topic, expected] of published) {
      const got = s.received.get(topic) ?? [];
      count += got.length;
      const unique = new Set(got);
      const dup = got.length - unique.size;
      const want = new Set(expected);
      const missing = expected.filter((id) => !unique.has(id)).length;
      const unexpected = [...unique].filter((id) => !want.has(id)).length;
      // In order: the received ids, first occurrences only, are the published ids in offset order.
      const firsts = [...unique].filter((id) => want.has(id));
      const inOrder = expected.filter((id) => unique.has(id));
      const wrong = firsts.reduce((n, id, i) => n + (id === inOrder[i] ? 0 : 1), 0);
      lost += missing;
      duplicated += dup;
      misordered += wrong;
      if (missing || dup || unexpected || wrong) failures.push(`${s.name}#${index} ${topic}: ${missing} lost, ${dup} duplicated, ${unexpected} unexpected, ${wrong} out of order`);
    }
    if (s.unrecovered.length) failures.push(`${s.name}#${index}: recovered:false on ${s.unrecovered.join(', ')}`);
    delivered.push(count);
  });
  const times = subscribers.flatMap((s) => s.reconnects).sort((a, b) => a - b);
  const perTransport = [...new Set(subscribers.map((s) => s.name))]
    .map((name) => {
      const own = subscribers.filter((s) => s.name === name).flatMap((s) => s.reconnects).sort((a, b) => a - b);
      return `${name} ${own.length}x p50 ${percentile(own, 50)} max ${own.at(-1) ?? 0}`;
    })
    .join('; ');
  const text = [
    `rolling restart [${broker}]: ${total} published in ${(elapsedMs / 1000).toFixed(1)} s to ${published.size} topics; ` +
      `delivered per subscriber min ${Math.min(...delivered)} max ${Math.max(...delivered)} (${subscribers.length} subscribers); ` +
      `lost ${lost}, duplicated ${duplicated}, out of order ${misordered}, recovered:false ${subscribers.reduce((n, s) => n + s.unrecovered.length, 0)}`,
    `  reconnects: ${times.length}, p50 ${percentile(times, 50)} ms, p90 ${percentile(times, 90)} ms, max ${times.at(-1) ?? 0} ms (${perTransport})`,
    ...failures.slice(0, 20).map((line) => `  ${line}`),
  ].join('\n');
  return { text, failures, lost, duplicated, misordered, total, delivered, times };
}
