import type { Meta, StoryObj } from 'storybook-framework-qwik';
import { TransportFeed, type TransportFeedProps } from '../demos/transport-feed';

const meta: Meta<TransportFeedProps> = {
  title: 'Components/LiveFeed',
  component: TransportFeed,
  tags: ['autodocs'],
  args: { topic: 'prices:BTC', limit: 12 },
  argTypes: {
    topic: { control: 'select', options: ['prices:BTC', 'prices:ETH'] },
    limit: { control: { type: 'range', min: 1, max: 50 } },
    transports: { control: 'check', options: ['websocket', 'sse', 'fetch-sse', 'long-poll'] },
  },
  parameters: {
    docs: {
      description: {
        component:
          '`<LiveFeed topic limit item />` shows a bounded, keyed list of a topic\'s newest messages. Every story here runs against the stand-in broker (the real hub on a memory broker, same origin): pick a transport, press **Drop connections** and watch the feed resume from its last position.',
      },
    },
  },
};
export default meta;

type Story = StoryObj<TransportFeedProps>;

/** Over a WebSocket (`transports={['websocket']}`). */
export const WebSocket: Story = { args: { transports: ['websocket'] } };

/** Over the browser's native `EventSource` (cookie auth, no headers). */
export const ServerSentEvents: Story = { name: 'SSE (EventSource)', args: { transports: ['sse'] } };

/** SSE read through `fetch` (can send `Authorization` headers; a fresh token per attempt). */
export const FetchSse: Story = { name: 'SSE over fetch', args: { transports: ['fetch-sse'] } };

/** Long-poll with a stateless cursor: a lost answer is simply polled again. */
export const LongPoll: Story = { name: 'Long-poll', args: { transports: ['long-poll'] } };

/**
 * The default chain WebSocket -> SSE -> long-poll. **Refuse WebSocket and reload**: on the fresh page the
 * upgrade fails before ever opening, so the client moves on to SSE at once and skips WebSocket for the rest
 * of the page session. (A transport that already worked in this page session is retried with backoff
 * instead: one failure says nothing about it.)
 */
export const FallbackChain: Story = {
  name: 'Fallback chain',
  args: { transports: ['websocket', 'sse', 'long-poll'], withFallbackControls: true },
};
