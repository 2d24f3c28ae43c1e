import { encodeCursor } from '@qwik-realtime/core/protocol';
import type { Envelope, PollResponse, Positions, SubscribedFrame } from '@qwik-realtime/core/protocol';
import { createCollector } from './collector.js';
import type { Collector } from './collector.js';
import { openSse } from './sse.js';
import { openWs } from './ws.js';

/** A subscriber over one transport, written with plain protocol knowledge (no client library). */
export interface DriverConnection {
  subscribed: Collector<SubscribedFrame>;
  messages: Collector<Envelope>;
  /** Last position per topic seen on this connection. */
  positions(): Positions;
  close(): Promise<void>;
}

/** Opens {@link DriverConnection}s on one transport. */
export interface TransportDriver {
  name: 'sse' | 'ws' | 'poll';
  open(base: string, topics: string[], since?: Positions): Promise<DriverConnection>;
}

function tracker() {
  const positions: Positions = {};
  const subscribed = createCollector<SubscribedFrame>('subscribed');
  const messages = createCollector<Envelope>('messages');
  return {
    positions,
    subscribed,
    messages,
    onSubscribed(frame: SubscribedFrame) {
      positions[frame.topic] = frame.position;
      subscribed.push(frame);
    },
    onMessage(message: Envelope) {
      positions[message.topic] = { offset: message.offset, epoch: message.epoch };
      messages.push(message);
    },
  };
}

/** SSE over fetch; resume with `since=CURSOR`. */
export const sseDriver: TransportDriver = {
  name: 'sse',
  async open(base, topics, since) {
    const t = tracker();
    const query = topics.map((topic) => `topic=${encodeURIComponent(topic)}`).join('&');
    const stream = await openSse(`${base}/sse?${query}${since ? `&since=${encodeURIComponent(encodeCursor(since))}` : ''}`);
    if (stream.status !== 200) throw new Error(`sse answered ${stream.status}`);
    let seen = 0;
    const pump = () => {
      for (; seen < stream.events.items.length; seen++) {
        const event = stream.events.items[seen]!;
        if (event.event === 'subscribed') t.onSubscribed(event.json);
        else if (event.event === 'message') t.onMessage(event.json);
      }
    };
    // Piggy-back on the collector: check after every pushed event.
    const push = stream.events.push.bind(stream.events);
    stream.events.push = (event) => {
      push(event);
      pump();
    };
    pump();
    return { subscribed: t.subscribed, messages: t.messages, positions: () => ({ ...t.positions }), close: async () => stream.close() };
  },
};

/** WebSocket with `subscribe` frames carrying `since`. */
export const wsDriver: TransportDriver = {
  name: 'ws',
  async open(base, topics, since) {
    const t = tracker();
    const client = await openWs(`${base.replace(/^http/, 'ws')}/ws`);
    client.socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw));
      if (frame.type === 'subscribed') t.onSubscribed(frame);
      else if (frame.type === 'message') {
        const { type: _type, ...envelope } = frame;
        t.onMessage(envelope);
      }
    });
    for (const topic of topics) client.send(since?.[topic] ? { type: 'subscribe', topic, since: since[topic] } : { type: 'subscribe', topic });
    return {
      subscribed: t.subscribed,
      messages: t.messages,
      positions: () => ({ ...t.positions }),
      async close() {
        client.close();
        await client.closed;
      },
    };
  },
};

/** Long-poll loop with the stateless cursor; the first poll without `since` starts at the heads. */
export const pollDriver: TransportDriver = {
  name: 'poll',
  async open(base, topics, since) {
    const t = tracker();
    const abort = new AbortController();
    const query = topics.map((topic) => `topic=${encodeURIComponent(topic)}`).join('&');
    let cursor = since ? encodeCursor(since) : undefined;
    const poll = async () => {
      const response = await fetch(`${base}/poll?${query}&timeout=5000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { signal: abort.signal });
      if (response.status !== 200) throw new Error(`poll answered ${response.status}`);
      const body = (await response.json()) as PollResponse;
      for (const frame of body.subscriptions ?? []) t.onSubscribed(frame);
      for (const message of body.messages) t.onMessage(message);
      cursor = body.cursor;
    };
    await poll();
    const loop = (async () => {
      while (!abort.signal.aborted) await poll();
    })().catch(() => undefined);
    return {
      subscribed: t.subscribed,
      messages: t.messages,
      positions: () => ({ ...t.positions }),
      async close() {
        abort.abort();
        await loop;
      },
    };
  },
};

/** Every transport, for `test.each`. */
export const transportDrivers: TransportDriver[] = [sseDriver, wsDriver, pollDriver];
