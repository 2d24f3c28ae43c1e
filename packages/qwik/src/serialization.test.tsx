import { component$, useSignal } from '@builder.io/qwik';
import { renderToString } from '@builder.io/qwik/server';
import type { Envelope } from '@qwik-realtime/core/protocol';
import { describe, expect, it, vi } from 'vitest';
import { harness, mount } from './test-helpers.js';
import type { ChannelHandle } from './use-channel.js';
import type { SubscriptionSignals } from './use-subscription.js';
import { ConnectionStatus } from './connection-status/connection-status.js';
import { LiveFeed } from './live-feed/live-feed.js';
import { RealtimeProvider } from './realtime-provider.js';
import { longPoll } from './transports/long-poll.js';
import { sse } from './transports/sse.js';
import { useChannel$ } from './use-channel.js';
import { useConnectionState } from './use-connection-state.js';
import { useSubscription$ } from './use-subscription.js';

const seeded: Envelope<string>[] = [
  { id: 'a', topic: 'news', data: 'first <b>seed</b>', timestamp: 1, offset: 4, epoch: 'ep1' },
  { id: 'b', topic: 'news', data: 'second seed', timestamp: 2, offset: 5, epoch: 'ep1' },
];

const Everything = component$(() => {
  const count = useSignal(0);
  const sub = useSubscription$(() => {
    count.value++;
  }, { topics: ['news', 'chat'], since: { news: { offset: 5, epoch: 'ep1' } } });
  const chat = useChannel$<{ text: string }>((message) => {
    count.value += message.data.text.length;
  }, { topic: 'chat', limit: 10, history: 5 });
  const state = useConnectionState({ strategy: 'document-ready' });
  return (
    <section>
      <p id="sub">{sub.stateSig.value.status}:{sub.errorSig.value?.code ?? 'none'}:{String(sub.recoveredSig.value)}</p>
      <p id="chat">{chat.messagesSig.value.length}:{chat.stateSig.value.status}</p>
      <p id="state">{state.value.status}</p>
      <button onClick$={() => chat.publish$({ text: 'hi' })}>send</button>
      <ConnectionStatus />
      <LiveFeed topic="news" limit={5} seed={{ messages: seeded, position: { offset: 5, epoch: 'ep1' } }} />
    </section>
  );
});

const App = component$(() => (
  <RealtimeProvider url="/realtime" transports={[sse, longPoll]} options={{ minUptimeMs: 2000 }}>
    <Everything />
  </RealtimeProvider>
));

describe('server rendering', () => {
  it('GIVEN every hook and component WHEN rendered to a string THEN all their state serializes as plain data', async () => {
    const result = await renderToString(<App />, {
      containerTagName: 'div',
      qwikLoader: { include: 'never' },
      // Tests have no build manifest: name a chunk per symbol.
      symbolMapper: (symbol) => [symbol, `/q-${symbol}.js`],
    });
    const html = result.html;
    // Seeded items are rendered, as text.
    const markup = html.slice(0, html.indexOf('<script type="qwik/json">'));
    expect(markup).toContain('first &lt;b&gt;seed&lt;/b&gt;');
    expect(markup).toContain('second seed');
    expect(markup).not.toContain('<b>');
    expect(markup).toContain('role="status"');
    expect(markup).toContain('aria-live="polite"');
    expect(markup).toContain('Connecting…');
    const text = markup.replace(/<!--.*?-->/g, '');
    expect(text).toContain('<p id="sub">idle:none:true</p>');
    expect(text).toContain('<p id="chat">0:idle</p>');
    const json = /<script type="qwik\/json">([\s\S]*?)<\/script>/.exec(html);
    expect(json).not.toBeNull();
    const state = JSON.parse(json![1]!) as { objs: unknown[] };
    const objs = JSON.stringify(state.objs);
    // The seed, config and connection state travel as data for the browser to resume from.
    expect(objs).toContain('second seed');
    expect(objs).toContain('/realtime');
    // Transports travel as references to their lazy chunks, not as code.
    expect(objs).toMatch(/#longPoll_/);
    expect(objs).toContain('idle');
  });

  it('GIVEN live hooks in the browser WHEN messages, state changes and errors arrive THEN their signals still hold only plain data', async () => {
    const h = harness();
    const seen: { channel?: ChannelHandle<{ n: number }>; sub?: SubscriptionSignals; state?: { value: unknown } } = {};
    const Live = component$(() => {
      const channel = useChannel$<{ n: number }>(() => undefined, { topic: 'plain', limit: 3 });
      const sub = useSubscription$(() => undefined, { topics: ['plain', 'other'] });
      const state = useConnectionState();
      seen.channel = channel;
      seen.sub = sub;
      seen.state = state;
      return <p>{channel.messagesSig.value.length}</p>;
    });
    const { until, cleanup } = await mount(<Live />);
    await vi.waitFor(() => expect(h.server.subscribers('plain')).toBe(1));
    h.server.publish('plain', { n: 1 });
    h.server.error('other', 'forbidden', 'nope');
    await until(() => expect(seen.channel!.messagesSig.value).toHaveLength(1));
    await until(() => expect(seen.sub!.errorSig.value?.code).toBe('forbidden'));
    const values = [
      seen.channel!.messagesSig.value,
      seen.channel!.stateSig.value,
      seen.channel!.errorSig.value,
      seen.channel!.recoveredSig.value,
      seen.channel!.topicStateSig.value,
      seen.sub!.topicStatesSig.value,
      seen.sub!.stateSig.value,
      seen.sub!.errorSig.value,
      seen.sub!.positionsSig.value,
      seen.state!.value,
    ];
    for (const value of values) expect(isPlainData(value), JSON.stringify(value)).toBe(true);
    expect(seen.channel!.stateSig.value.status).toBe('open');
    await cleanup();
    h.dispose();
  });
});

/** Only what Qwik serializes as data: primitives, arrays and plain objects, all the way down. */
function isPlainData(value: unknown): boolean {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return true;
  if (Array.isArray(value)) return value.every(isPlainData);
  if (typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value as Record<string, unknown>).every((entry) => entry === undefined || isPlainData(entry));
}
