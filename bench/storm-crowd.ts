/**
 * The clients of the reconnect-storm benchmark: real core clients (`createBaseClient`) in a load process, `ws` as
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

/**
 * `ws` that also notes when its TCP connection was established (from this side): set against the hub's accept
 * time it tells a slow TCP handshake (kernel, loaded core) from a hub slow to accept.
 */
function timedWebSocket(record: { tcpConnects: number[] }) {
  return class extends WebSocket {
    constructor(url: string) {
      super(url);
      const request = (this as unknown as { _req?: import('node:http').ClientRequest })._req;
      request?.once('socket', (socket) => socket.once('connect', () => record.tcpConnects.push(now())));
    }
  };
}

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
  /** WebSocket only: when each TCP connection was established, seen from the client. */
  tcpConnects: number[];
  /** Wall-clock times the connection closed (any reason), and each close's error code. */
  closes: number[];
  closeCodes: string[];
  /** Per topic: times of `onSubscribed`, and the last `k` seen. */
  subscribed: Map<string, number[]>;
  lastK: Map<string, number>;
  subscriptions: Subscription[];
  lost: number;
  recoveredFalse: number;
  /** Times of `try_again_later` answers (a refused connection or WebSocket subscribe). */
  tryAgainLater: number[];
  /** Every error a topic reported, as `<wall-clock ms> <code>`. */
  topicErrors: string[];
}

/** What a load process reports of one client: plain data, times on the shared wall clock ({@link now}). */
export interface StormRecord {
  transport: StormTransport;
  topics: string[];
  attempts: number[];
  opens: number[];
  planned: number[];
  closes: number[];
  closeCodes: string[];
  tcpConnects: number[];
  subscribed: Record<string, number[]>;
  lastK: Record<string, number>;
  lost: number;
  recoveredFalse: number;
  tryAgainLater: number[];
  topicErrors: string[];
  /** The connection's status when the record was taken. */
  status: string;
  /** Each topic's state (`TopicState.status`) when the record was taken. */
  topicStates: string[];
}

/** The record of `client` as it is now. */
export function snapshot(client: StormClient): StormRecord {
  return {
    transport: client.transport,
    topics: client.topics,
    attempts: client.attempts,
    opens: client.opens,
    planned: client.planned,
    closes: client.closes,
    closeCodes: client.closeCodes,
    tcpConnects: client.tcpConnects,
    subscribed: Object.fromEntries(client.subscribed),
    lastK: Object.fromEntries(client.lastK),
    lost: client.lost,
    recoveredFalse: client.recoveredFalse,
    tryAgainLater: client.tryAgainLater,
    topicErrors: client.topicErrors,
    status: client.client.getState().status,
    topicStates: client.subscriptions.map((subscription) => subscription.state().status),
  };
}

/**
 * Open the clients `slice.of`, `slice.of + slice.every`, ... of a crowd of `slice.total` on `url` (a load process
 * hosts every n-th client, so each holds the same mix), transports split by `mix` (fractions) over the whole
 * crowd, `topicsOf(i)` each.
 */
export function openStormCrowd(url: string, slice: { of: number; every: number; total: number }, mix: Record<StormTransport, number>, topicsOf: (i: number) => string[]): StormClient[] {
  const names = Object.keys(mix) as StormTransport[];
  const total = names.reduce((sum, name) => sum + mix[name], 0);
  const crowd: StormClient[] = [];
  for (let i = slice.of; i < slice.total; i += slice.every) {
    // Deterministic split: client i takes the transport whose cumulative share covers (i + 0.5) / total.
    let at = ((i + 0.5) / slice.total) * total;
    const transport = names.find((name) => (at -= mix[name]) < 0) ?? names[names.length - 1]!;
    const record: StormClient = {
      client: undefined as unknown as RealtimeClient,
      transport,
      topics: topicsOf(i),
      attempts: [],
      opens: [],
      closes: [],
      closeCodes: [],
      tcpConnects: [],
      planned: [],
      subscribed: new Map(),
      lastK: new Map(),
      subscriptions: [],
      lost: 0,
      recoveredFalse: 0,
      tryAgainLater: [],
      topicErrors: [],
    };
    record.client = createBaseClient({
      url,
      transports: [transports[transport]()],
      platform: { WebSocket: timedWebSocket(record) as unknown as WebSocketConstructor, fetch },
      debug: (event, detail) => {
        if (event === 'attempt') record.attempts.push(now());
        else if (event === 'open') record.opens.push(now());
        else if (event === 'closed') {
          record.closes.push(now());
          const code = (detail as { code?: string } | undefined)?.code ?? 'unknown';
          record.closeCodes.push(code);
          if (code === 'try_again_later') record.tryAgainLater.push(now());
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
          record.topicErrors.push(`${now()} ${error.code}`);
          if (error.code === 'try_again_later') record.tryAgainLater.push(now());
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
