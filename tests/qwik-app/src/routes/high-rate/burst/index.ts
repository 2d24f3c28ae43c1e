import type { RequestHandler } from '@builder.io/qwik-city';
import { appHub } from '../../../hub';

/**
 * `POST /high-rate/burst/?topic=T&rate=R&ms=D`: publish `{ seq, t }` on T at R messages per second for D ms
 * through `hub.publish` (seq from 1, t = publish time), then answer with how many went out. Pacing is by the
 * clock: each 5 ms tick publishes what the rate owes so far, so a slow tick is caught up, never skipped.
 */
export const onPost: RequestHandler = async ({ url, json }) => {
  const topic = url.searchParams.get('topic') ?? 'high-rate';
  const rate = Number(url.searchParams.get('rate') ?? 10_000);
  const ms = Number(url.searchParams.get('ms') ?? 3000);
  const total = Math.round((rate * ms) / 1000);
  const hub = appHub();
  const start = performance.now();
  let seq = 0;
  while (seq < total) {
    const owed = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    const batch: Promise<unknown>[] = [];
    while (seq < owed) batch.push(hub.publish(topic, { seq: ++seq, t: Date.now() }));
    await Promise.all(batch);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  json(200, { published: seq, ms: Math.round(performance.now() - start) });
};
