import { component$ } from '@builder.io/qwik';
import { useChannel } from '../use-channel.js';
import { useSubscription$ } from '../use-subscription.js';
import { within } from '@testing-library/dom';
import type { Envelope } from '@qwik-realtime/core/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { harness, mount, texts, type Harness } from '../test-helpers.js';
import type { LiveFeedItemProps } from './live-feed-text.js';
import { LiveFeed } from './live-feed.js';

const Chat = component$<LiveFeedItemProps<{ user: string; text: string }>>((props) => (
  <p class="chat">
    <b>{props.message.data.user}</b>: {props.message.data.text}
  </p>
));

const Burst = component$(() => {
  const { messagesSig } = useChannel<number>({ topic: 'burst', limit: 20 });
  return <p id="burst">{messagesSig.value.map((m) => m.data).join(',')}</p>;
});

const Ticker = component$(() => {
  const { conflatedSig } = useSubscription$(() => undefined, { topic: 'prices:ETH' });
  return <p id="ticker-conflated">{conflatedSig.value}</p>;
});

describe('LiveFeed', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });
  afterEach(() => h.dispose());

  it('GIVEN a feed WHEN messages are published THEN they show newest first, as text, and data-state is live', async () => {
    const { screen, until, cleanup } = await mount(<LiveFeed topic="news" aria-label="News" />);
    await vi.waitFor(() => expect(h.server.subscribers('news')).toBe(1));
    h.server.publish('news', 'hello');
    h.server.publish('news', { n: 2 });
    await until(() => expect(texts(screen, 'li')).toEqual(['{"n":2}', 'hello']));
    // domino (createDOM's DOM) cannot compute accessible names, so query the role and read the label.
    const list = within(screen).getByRole('list', { hidden: true });
    expect(list.getAttribute('aria-label')).toBe('News');
    expect(list.getAttribute('data-state')).toBe('live');
    expect(list.getAttribute('data-topic')).toBe('news');
    await cleanup();
  });

  it('GIVEN limit 3 WHEN 7 messages arrive THEN only the newest 3 are in the list', async () => {
    const { screen, until, cleanup } = await mount(<LiveFeed topic="ticks" limit={3} order="oldest-first" />);
    await vi.waitFor(() => expect(h.server.subscribers('ticks')).toBe(1));
    for (let i = 1; i <= 7; i++) h.server.publish('ticks', `t${i}`);
    await until(() => expect(texts(screen, 'li')).toEqual(['t5', 't6', 't7']));
    expect(screen.querySelector('ul')!.getAttribute('data-count')).toBe('3');
    await cleanup();
  });

  it('GIVEN hostile data WHEN it is shown THEN it stays text and creates no element', async () => {
    const { screen, until, cleanup } = await mount(<LiveFeed topic="evil" />);
    await vi.waitFor(() => expect(h.server.subscribers('evil')).toBe(1));
    const payload = '<img src=x onerror="globalThis.pwned=1">';
    h.server.publish('evil', payload);
    h.server.publish('evil', { html: '<script>globalThis.pwned=2</script>' });
    await until(() => expect(within(screen).getByText(payload)).toBeTruthy());
    expect(screen.querySelectorAll('img')).toHaveLength(0);
    expect(screen.querySelectorAll('li script')).toHaveLength(0);
    expect(texts(screen, 'li')[0]).toBe('{"html":"<script>globalThis.pwned=2</script>"}');
    expect((globalThis as { pwned?: number }).pwned).toBeUndefined();
    await cleanup();
  });

  it('GIVEN an item component WHEN messages arrive THEN each is rendered by it, keyed by id', async () => {
    const { screen, until, cleanup } = await mount(<LiveFeed topic="chat" item={Chat} />);
    await vi.waitFor(() => expect(h.server.subscribers('chat')).toBe(1));
    const sent = h.server.publish('chat', { user: 'ann', text: '<i>hi</i>' });
    await until(() => expect(texts(screen, 'p.chat')).toEqual(['ann: <i>hi</i>']));
    expect(screen.querySelector('li')!.getAttribute('data-id')).toBe(sent.id);
    expect(screen.querySelectorAll('p.chat i')).toHaveLength(0);
    await cleanup();
  });

  it('GIVEN a seed WHEN live messages follow THEN seeded items stay and nothing is duplicated', async () => {
    const first = h.server.publish('seeded', 's1');
    const second = h.server.publish('seeded', 's2');
    const seed = { messages: [first, second] as Envelope[], position: { offset: second.offset, epoch: second.epoch } };
    const { screen, until, cleanup } = await mount(<LiveFeed topic="seeded" seed={seed} order="oldest-first" />);
    expect(texts(screen, 'li')).toEqual(['s1', 's2']);
    await vi.waitFor(() => expect(h.server.subscribers('seeded')).toBe(1));
    h.server.publish('seeded', 's3');
    await until(() => expect(texts(screen, 'li')).toEqual(['s1', 's2', 's3']));
    await cleanup();
  });

  it('GIVEN a seed WHEN a message was published between render and connect THEN it arrives exactly once (resume from the seed position)', async () => {
    const first = h.server.publish('gap', 'g1');
    const seed = { messages: [first] as Envelope[], position: { offset: first.offset, epoch: first.epoch } };
    h.server.publish('gap', 'g2');
    const { screen, until, cleanup } = await mount(<LiveFeed topic="gap" seed={seed} order="oldest-first" />);
    await until(() => expect(texts(screen, 'li')).toEqual(['g1', 'g2']));
    h.server.publish('gap', 'g3');
    await until(() => expect(texts(screen, 'li')).toEqual(['g1', 'g2', 'g3']));
    await cleanup();
  });

  it('GIVEN rendered items WHEN newer messages arrive THEN the existing item elements are kept, not re-created', async () => {
    const { screen, until, cleanup } = await mount(<LiveFeed topic="keyed" limit={3} order="oldest-first" />);
    await vi.waitFor(() => expect(h.server.subscribers('keyed')).toBe(1));
    h.server.publish('keyed', 'k1');
    h.server.publish('keyed', 'k2');
    await until(() => expect(texts(screen, 'li')).toEqual(['k1', 'k2']));
    const k2 = screen.querySelectorAll('li')[1]!;
    const k2Text = k2.querySelector('span')!;
    h.server.publish('keyed', 'k3');
    h.server.publish('keyed', 'k4');
    await until(() => expect(texts(screen, 'li')).toEqual(['k2', 'k3', 'k4']));
    expect(screen.querySelectorAll('li')[0]).toBe(k2);
    expect(k2.querySelector('span')).toBe(k2Text);
    await cleanup();
  });

  it('GIVEN a burst of 500 messages WHEN they arrive THEN the list holds exactly the newest 20, in order, once each', async () => {
    const { screen, until, cleanup } = await mount(<Burst />);
    await vi.waitFor(() => expect(h.server.subscribers('burst')).toBe(1));
    for (let i = 1; i <= 500; i++) h.server.publish('burst', i);
    const expected = Array.from({ length: 20 }, (_, i) => 481 + i).join(',');
    await until(() => expect(screen.querySelector('#burst')!.textContent).toBe(expected));
    await cleanup();
  });

  it('GIVEN a conflated topic WHEN the server dropped messages for this slow connection THEN data-conflated and conflatedSig count them', async () => {
    const { screen, until, cleanup } = await mount(
      <div>
        <LiveFeed topic="prices:BTC" order="oldest-first" />
        <Ticker />
      </div>,
    );
    await vi.waitFor(() => expect([h.server.subscribers('prices:BTC'), h.server.subscribers('prices:ETH')]).toEqual([1, 1]));
    const list = () => screen.querySelector('ul')!;
    expect(list().getAttribute('data-conflated')).toBe('0');
    h.server.publish('prices:BTC', 1);
    h.server.publish('prices:BTC', 5, { conflated: 3 });
    h.server.publish('prices:BTC', 9, { conflated: 3 });
    h.server.publish('prices:ETH', 2, { conflated: 4 });
    await until(() => expect(texts(screen, 'li')).toEqual(['1', '5', '9']));
    expect(list().getAttribute('data-conflated')).toBe('6');
    await until(() => expect(screen.querySelector('#ticker-conflated')!.textContent).toBe('4'));
    await cleanup();
  });

  it('GIVEN a feed with limit N THEN it asks the client for the last N only (a worker host trims bursts), while useSubscription$ asks for everything', async () => {
    const subscribe = vi.spyOn(h.client, 'subscribe');
    const { cleanup } = await mount(
      <div>
        <LiveFeed topic="window" limit={7} />
        <Ticker />
      </div>,
    );
    await vi.waitFor(() => expect(h.server.subscribers('window')).toBe(1));
    const optionsOf = (topic: string) => subscribe.mock.calls.find(([name]) => name === topic)?.[1] as { last?: number } | undefined;
    expect(optionsOf('window')?.last).toBe(7);
    expect(optionsOf('prices:ETH')).toBeDefined();
    expect(optionsOf('prices:ETH')!.last).toBeUndefined();
    await cleanup();
  });

  it('GIVEN a mounted feed WHEN it is cleaned up THEN 0 subscriptions remain and the registry lets the connection go', async () => {
    const { cleanup } = await mount(
      <div>
        <LiveFeed topic="bye" />
        <LiveFeed topic="bye" />
      </div>,
    );
    await vi.waitFor(() => expect(h.server.subscribers('bye')).toBe(1));
    await cleanup();
    await vi.waitFor(() => expect(h.server.subscribers('bye')).toBe(0));
  });
});
