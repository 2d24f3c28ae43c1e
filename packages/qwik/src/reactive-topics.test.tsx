import { $, component$, useSignal } from '@builder.io/qwik';
import type { Envelope } from '@qwik-realtime/core/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveFeed } from './live-feed/live-feed.js';
import { harness, mount, texts, type Harness } from './test-helpers.js';
import { useChannel$ } from './use-channel.js';
import { useSubscription$ } from './use-subscription.js';

/** A topic picker: `#next` cycles a -> b -> a, `#toggle` flips `enabled`. */
function usePicker() {
  const topic = useSignal('a');
  const enabled = useSignal(true);
  const controls = (
    <>
      <button id="next" onClick$={() => (topic.value = topic.value === 'a' ? 'b' : 'a')}>
        next
      </button>
      <button id="toggle" onClick$={() => (enabled.value = !enabled.value)}>
        toggle
      </button>
    </>
  );
  return { topic, enabled, controls };
}

const FeedPicker = component$(() => {
  const { topic, enabled, controls } = usePicker();
  return (
    <div>
      {controls}
      <LiveFeed topic={topic.value} enabled={enabled.value} history={10} order="oldest-first" />
    </div>
  );
});

const ChannelPicker = component$(() => {
  const { topic, enabled, controls } = usePicker();
  const seen = useSignal<string[]>([]);
  const channel = useChannel$<string>(
    (message) => {
      seen.value = [...seen.value, `${message.topic}:${message.data}`];
    },
    { topic: topic.value, enabled: enabled.value, history: 10 },
  );
  return (
    <div data-topic={channel.topicStateSig.value.topic} data-topic-state={channel.topicStateSig.value.status}>
      {controls}
      <ul>
        {channel.messagesSig.value.map((m) => (
          <li key={m.id}>{`${m.topic}:${m.data}`}</li>
        ))}
      </ul>
      <p id="seen">{seen.value.join(',')}</p>
    </div>
  );
});

const SubscriptionPicker = component$(() => {
  const { topic, enabled, controls } = usePicker();
  const seen = useSignal<string[]>([]);
  const sub = useSubscription$<string>(
    (message) => {
      seen.value = [...seen.value, `${message.topic}:${message.data}`];
    },
    { topic: topic.value, enabled: enabled.value },
  );
  return (
    <div>
      {controls}
      <p id="seen">{seen.value.join(',')}</p>
      <p id="states">{Object.values(sub.topicStatesSig.value).map((s) => `${s.topic}=${s.status}`).join(',')}</p>
    </div>
  );
});

describe('reactive topics', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });
  afterEach(() => h.dispose());

  /** Publish one message per topic and wait until the server has each subscription it should. */
  const expectSubscribed = async (a: number, b: number) => {
    await vi.waitFor(() => {
      expect(h.server.subscribers('a')).toBe(a);
      expect(h.server.subscribers('b')).toBe(b);
    });
  };

  it('GIVEN a LiveFeed WHEN its topic goes a -> b -> a THEN it shows only the current topic, no duplicates, on one connection', async () => {
    h.server.publish('a', 'a0');
    h.server.publish('b', 'b0');
    const { screen, until, userEvent, cleanup } = await mount(<FeedPicker />);
    const list = () => screen.querySelector('ul')!;
    await expectSubscribed(1, 0);
    await until(() => expect(texts(screen, 'li')).toEqual(['a0']));
    h.server.publish('a', 'a1');
    await until(() => expect(texts(screen, 'li')).toEqual(['a0', 'a1']));

    await userEvent('#next', 'click');
    // No stale flash: the list is b's (empty so far) the moment the topic changed.
    expect(list().getAttribute('data-topic')).toBe('b');
    expect(texts(screen, 'li').filter((t) => t.startsWith('a'))).toEqual([]);
    await expectSubscribed(0, 1);
    await until(() => expect(texts(screen, 'li')).toEqual(['b0']));
    h.server.publish('a', 'a2');
    h.server.publish('b', 'b1');
    await until(() => expect(texts(screen, 'li')).toEqual(['b0', 'b1']));
    expect(list().getAttribute('data-state')).toBe('live');

    await userEvent('#next', 'click');
    await expectSubscribed(1, 0);
    // The client resumes `a` from the last position it saw there: what was missed arrives, nothing twice.
    await until(() => expect(texts(screen, 'li')).toEqual(['a2']));
    h.server.publish('a', 'a3');
    await until(() => expect(texts(screen, 'li')).toEqual(['a2', 'a3']));
    expect(h.server.attempts).toBe(1);
    await cleanup();
  });

  it('GIVEN useChannel$ WHEN its topic goes a -> b -> a THEN messages and onMessage follow the current topic only, on one connection', async () => {
    const { screen, until, userEvent, cleanup } = await mount(<ChannelPicker />);
    await expectSubscribed(1, 0);
    h.server.publish('a', '1');
    await until(() => expect(texts(screen, 'li')).toEqual(['a:1']));
    await userEvent('#next', 'click');
    expect(texts(screen, 'li')).toEqual([]);
    await expectSubscribed(0, 1);
    h.server.publish('a', '2');
    h.server.publish('b', '3');
    await until(() => expect(texts(screen, 'li')).toEqual(['b:3']));
    await until(() => expect(screen.querySelector('div')!.getAttribute('data-topic-state')).toBe('live'));
    expect(screen.querySelector('div')!.getAttribute('data-topic')).toBe('b');
    await userEvent('#next', 'click');
    await expectSubscribed(1, 0);
    await until(() => expect(texts(screen, 'li')).toEqual(['a:2']));
    expect(screen.querySelector('#seen')!.textContent).toBe('a:1,b:3,a:2');
    expect(h.server.attempts).toBe(1);
    await cleanup();
  });

  it('GIVEN useSubscription$ WHEN its topic goes a -> b -> a THEN onMessage sees only the current topic, on one connection', async () => {
    const { screen, until, userEvent, cleanup } = await mount(<SubscriptionPicker />);
    await expectSubscribed(1, 0);
    h.server.publish('a', '1');
    await until(() => expect(screen.querySelector('#seen')!.textContent).toBe('a:1'));
    await until(() => expect(screen.querySelector('#states')!.textContent).toBe('a=live'));
    await userEvent('#next', 'click');
    await expectSubscribed(0, 1);
    h.server.publish('a', '2');
    h.server.publish('b', '3');
    await until(() => expect(screen.querySelector('#seen')!.textContent).toBe('a:1,b:3'));
    await until(() => expect(screen.querySelector('#states')!.textContent).toBe('b=live'));
    await userEvent('#next', 'click');
    await expectSubscribed(1, 0);
    h.server.publish('a', '4');
    await until(() => expect(screen.querySelector('#seen')!.textContent).toBe('a:1,b:3,a:4'));
    expect(h.server.attempts).toBe(1);
    await cleanup();
  });

  it.each([
    ['LiveFeed', () => <FeedPicker />],
    ['useChannel$', () => <ChannelPicker />],
    ['useSubscription$', () => <SubscriptionPicker />],
  ])('GIVEN %s WHEN enabled goes false and back THEN it unsubscribes and resubscribes', async (_name, render) => {
    const { until, userEvent, cleanup } = await mount(render());
    await expectSubscribed(1, 0);
    await userEvent('#toggle', 'click');
    await expectSubscribed(0, 0);
    await userEvent('#toggle', 'click');
    await expectSubscribed(1, 0);
    await until(() => expect(h.server.connected).toBe(true));
    await cleanup();
  });

  it('GIVEN a forbidden topic next to a live one WHEN the server refuses it THEN its feed shows the error and the other stays live', async () => {
    const { screen, until, cleanup } = await mount(
      <div>
        <LiveFeed topic="secret" aria-label="secret">
          <em q:slot="error">You may not read this.</em>
        </LiveFeed>
        <LiveFeed topic="open" aria-label="open" />
      </div>,
    );
    await vi.waitFor(() => expect(h.server.subscribers('secret')).toBe(1));
    await vi.waitFor(() => expect(h.server.subscribers('open')).toBe(1));
    h.server.error('secret', 'forbidden', 'not for you');
    const [secret, open] = Array.from(screen.querySelectorAll('ul'));
    await until(() => expect(secret!.getAttribute('data-state')).toBe('error'));
    expect(secret!.getAttribute('data-topic-state')).toBe('failed');
    const alert = secret!.querySelector('[role="alert"]')!;
    expect(alert.textContent).toBe('not for youYou may not read this.');
    h.server.publish('open', 'still here');
    await until(() => expect(texts(open!, 'li')).toEqual(['still here']));
    expect(open!.getAttribute('data-state')).toBe('live');
    await cleanup();
  });

  it('GIVEN a validate$ QRL WHEN messages arrive THEN its result is shown and what it rejects is dropped', async () => {
    const Checked = component$(() => (
      <LiveFeed
        topic="checked"
        order="oldest-first"
        validate$={$((data: unknown) => {
          if (typeof data !== 'number') throw new Error('not a number');
          return data * 2;
        })}
      />
    ));
    const { screen, until, cleanup } = await mount(<Checked />);
    await vi.waitFor(() => expect(h.server.subscribers('checked')).toBe(1));
    h.server.publish('checked', 1);
    h.server.publish('checked', 'x');
    h.server.publish('checked', 3);
    await until(() => expect(texts(screen, 'li')).toEqual(['2', '6']));
    await cleanup();
  });
});

/** Messages of `topic` in `messages`, as `topic:data`. */
export function labels(messages: Envelope[]): string[] {
  return messages.map((m) => `${m.topic}:${String(m.data)}`);
}
