/**
 * An SSE subscriber written with the WHATWG-compliant `eventsource` package (a client we did not write),
 * shaped like the integration suite's transport drivers. Resuming on another instance passes the last
 * event id as `lastEventId` — what a browser EventSource would send as the Last-Event-ID header.
 */
import { EventSource } from 'eventsource';
import { encodeCursor } from '@qwik-realtime/core/protocol';
import type { Envelope, Positions, SubscribedFrame } from '@qwik-realtime/core/protocol';
import { createCollector } from '../integration/helpers/index.js';
import type { DriverConnection, TransportDriver } from '../integration/helpers/index.js';

export const eventSourceDriver: TransportDriver = {
  name: 'sse',
  async open(base, topics, since) {
    const positions: Positions = {};
    const subscribed = createCollector<SubscribedFrame>('subscribed');
    const messages = createCollector<Envelope>('messages');
    const query = topics.map((topic) => `topic=${encodeURIComponent(topic)}`).join('&');
    const resume = since ? `&lastEventId=${encodeURIComponent(encodeCursor(since))}` : '';
    const source = new EventSource(`${base}/sse?${query}${resume}`);
    source.addEventListener('subscribed', (event) => {
      const frame = JSON.parse(event.data) as SubscribedFrame;
      positions[frame.topic] = frame.position;
      subscribed.push(frame);
    });
    source.onmessage = (event) => {
      const message = JSON.parse(event.data) as Envelope;
      positions[message.topic] = { offset: message.offset, epoch: message.epoch };
      messages.push(message);
    };
    await new Promise<void>((resolve, reject) => {
      source.onopen = () => resolve();
      source.onerror = (error) => (source.readyState === EventSource.CLOSED ? reject(new Error(`sse: ${error.message}`)) : undefined);
    });
    await subscribed.count(topics.length);
    const connection: DriverConnection = {
      subscribed,
      messages,
      positions: () => ({ ...positions }),
      async close() {
        source.close();
      },
    };
    return connection;
  },
};
