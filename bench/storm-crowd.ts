/**
 * The clients of the reconnect-storm benchmark: real core clients (`createBaseClient`) in this process, `ws` as
 * the WebSocket constructor, fetch-based SSE and long-poll, each on its own transport. Every client records when
 * it (re)connected and when each topic went live, and counts the messages it missed by their per-topic `k`.
 */
import WebSocket from 'ws';
import { createBaseClient, fetchSseTransport, longPollTransport, webSocketTransport } from '../packages/core/src/index.js';
import type { RealtimeClient, Subscription, Transport, WebSocketConstructor } from '../packages/core/src/index.js';

export type StormTransport = 'websocket' | 'fetch-sse' | 'long-poll';

const transports: Record<StormTransport, () => Transport> = {
  websocket: () => webSocketTransport(),
  'fetch-sse': () => fetchSseTransport(),
  'long-poll': () => longPollTransport(),
};

export const now = () => performance.timeOrigin + performance.now();

/** One client's record. */
export interface StormClient {
  client: RealtimeClient;
  transport: StormTransport;
  topics: string[];
  /** Wall-clock times of connection attempts and of opens (hello / first poll answer). */
  attempts: number[];
  opens: number[];
  /** When the client planned its next attempt (`nextRetryAt`), at each decision: the algorithm's spread, before timer lag. */
  planned: number[];
  /** Wall-clock times the connection closed (any reason). */
  closes: number[];
  /** Per topic: times of `onSubscribed`, and the last `k` seen. */
  subscribed: Map<string, number[]>;
  lastK: Map<string, number>;
  subscriptions: Subscription[];
  lost: number;
  recoveredFalse: number;
  tryAgainLater: number;
}

/** Open `count` clients on `url`, transports split by `mix` (fractions), `topicsOf(i)` each. */
export function openStormCrowd(url: string, count: number, mix: Record<StormTransport, number>, topicsOf: (i: number) => string[]): StormClient[] {
  const names = Object.keys(mix) as StormTransport[];
  const total = names.reduce((sum, name) => sum + mix[name], 0);
  const crowd: StormClient[] = [];
  for (let i = 0; i < count; i++) {
    // Deterministic split: client i takes the transport whose cumulative share covers (i + 0.5) / count.
    let at = ((i + 0.5) / count) * total;
    const transport = names.find((name) => (at -= mix[name]) < 0) ?? names[names.length - 1]!;
    const record: StormClient = {
      client: undefined as unknown as RealtimeClient,
      transport,
      topics: topicsOf(i),
      attempts: [],
      opens: [],
      closes: [],
      planned: [],
      subscribed: new Map(),
      lastK: new Map(),
      subscriptions: [],
      lost: 0,
      recoveredFalse: 0,
      tryAgainLater: 0,
    };
    record.client = createBaseClient({
      url,
      transports: [transports[transport]()],
      platform: { WebSocket: WebSocket as unknown as WebSocketConstructor, fetch },
      debug: (event, detail) => {
        if (event === 'attempt') record.attempts.push(now());
        else if (event === 'open') record.opens.push(now());
        else if (event === 'closed') {
          record.closes.push(now());
          if ((detail as { code?: string } | undefined)?.code === 'try_again_later') record.tryAgainLater++;
        }
      },
    });
    record.client.onState((state) => {
      if (state.status === 'reconnecting' && state.nextRetryAt !== null && state.nextRetryAt !== record.planned[record.planned.length - 1]) record.planned.push(state.nextRetryAt);
    });
    for (const topic of record.topics) {
      record.subscribed.set(topic, []);
      const subscription = record.client.subscribe<{ k: number }>(topic, {
        onSubscribed: (event) => {
          record.subscribed.get(topic)!.push(now());
          // The server could not fill the gap (a new memory hub): the stream starts over, nothing to count.
          if (event.resumed && !event.recovered) {
            record.recoveredFalse++;
            record.lastK.delete(topic);
          }
        },
        onError: (error) => {
          if (error.code === 'try_again_later') record.tryAgainLater++;
        },
        onMessage: ({ data }) => {
          const last = record.lastK.get(topic);
          if (last !== undefined && data.k > last + 1) record.lost += data.k - last - 1;
          if (last === undefined || data.k > last) record.lastK.set(topic, data.k);
        },
      });
      record.subscriptions.push(subscription);
    }
    crowd.push(record);
  }
  return crowd;
}
