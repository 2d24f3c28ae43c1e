import { component$, useSignal } from '@builder.io/qwik';
import { within } from '@testing-library/dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { harness, mount, texts, type Harness } from './test-helpers.js';
import { useChannel$ } from './use-channel.js';
import { useSubscription$ } from './use-subscription.js';

const Chat = component$(() => {
  const seen = useSignal(0);
  const ack = useSignal('');
  const failure = useSignal('');
  const chat = useChannel$<{ text: string }>(
    () => {
      seen.value++;
    },
    { topic: 'room', limit: 2 },
  );
  return (
    <div data-state={chat.stateSig.value.status}>
      <p id="seen">{seen.value}</p>
      <p id="ack">{ack.value}</p>
      <p id="failure">{failure.value}</p>
      <ol>
        {chat.messagesSig.value.map((m) => (
          <li key={m.id}>{m.data.text}</li>
        ))}
      </ol>
      <button
        onClick$={async () => {
          try {
            const result = await chat.publish$({ text: 'from the button' });
            ack.value = `${result.topic}@${result.offset}`;
          } catch (error) {
            failure.value = (error as { code?: string }).code ?? 'unknown';
          }
        }}
      >
        send
      </button>
    </div>
  );
});

const Counter = component$(() => {
  const total = useSignal(0);
  const last = useSignal('');
  const sub = useSubscription$<number>(
    (message) => {
      total.value += message.data;
      last.value = message.topic;
    },
    { topics: ['a', 'b'] },
  );
  return (
    <p id="counter" data-state={sub.stateSig.value.status} data-error={sub.errorSig.value?.code ?? ''}>
      {total.value}/{last.value}/{String(sub.recoveredSig.value)}
    </p>
  );
});

describe('useChannel$', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });
  afterEach(() => h.dispose());

  it('GIVEN a channel WHEN the button publishes THEN the ack comes back and the message arrives on the topic', async () => {
    const { screen, userEvent, until, cleanup } = await mount(<Chat />);
    await vi.waitFor(() => expect(h.server.subscribers('room')).toBe(1));
    await userEvent('button', 'click');
    await until(() => expect(within(screen).getByText('room@1')).toBeTruthy());
    expect(h.server.published.map((p) => p.data)).toEqual([{ text: 'from the button' }]);
    await until(() => expect(texts(screen, 'li')).toEqual(['from the button']));
    expect(screen.querySelector('#seen')!.textContent).toBe('1');
    await cleanup();
  });

  it('GIVEN limit 2 WHEN 4 messages arrive THEN messagesSig keeps the newest 2 while onMessage saw all 4', async () => {
    const { screen, until, cleanup } = await mount(<Chat />);
    await vi.waitFor(() => expect(h.server.subscribers('room')).toBe(1));
    for (const text of ['1', '2', '3', '4']) h.server.publish('room', { text });
    await until(() => expect(texts(screen, 'li')).toEqual(['3', '4']));
    expect(screen.querySelector('#seen')!.textContent).toBe('4');
    expect(screen.querySelector('div')!.getAttribute('data-state')).toBe('open');
    await cleanup();
  });

  it('GIVEN the server refused the connection for good WHEN the button publishes THEN the typed error reaches the component', async () => {
    const { screen, userEvent, until, cleanup } = await mount(<Chat />);
    await vi.waitFor(() => expect(h.server.subscribers('room')).toBe(1));
    h.server.fail('forbidden');
    h.server.drop('forbidden');
    await userEvent('button', 'click');
    await until(() => expect(screen.querySelector('#failure')!.textContent).toBe('disconnected'));
    expect(screen.querySelector('#ack')!.textContent).toBe('');
    await cleanup();
  });
});

describe('useSubscription$', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });
  afterEach(() => h.dispose());

  it('GIVEN two topics WHEN messages arrive on both THEN the callback sees each once, over one subscription per topic', async () => {
    const { screen, until, cleanup } = await mount(<Counter />);
    await vi.waitFor(() => expect([h.server.subscribers('a'), h.server.subscribers('b')]).toEqual([1, 1]));
    h.server.publish('a', 2);
    h.server.publish('b', 40);
    await until(() => expect(screen.querySelector('#counter')!.textContent).toBe('42/b/true'));
    expect(screen.querySelector('#counter')!.getAttribute('data-state')).toBe('open');
    await cleanup();
    await vi.waitFor(() => expect([h.server.subscribers('a'), h.server.subscribers('b')]).toEqual([0, 0]));
  });

  it('GIVEN a forbidden topic WHEN the server says so THEN errorSig carries the code', async () => {
    const { screen, until, cleanup } = await mount(<Counter />);
    await vi.waitFor(() => expect(h.server.subscribers('a')).toBe(1));
    h.server.error('a', 'forbidden', 'not yours');
    await until(() => expect(screen.querySelector('#counter')!.getAttribute('data-error')).toBe('forbidden'));
    await cleanup();
  });

  it('GIVEN a server restart (history lost) WHEN the client resubscribes THEN recoveredSig turns false', async () => {
    const { screen, until, cleanup } = await mount(<Counter />);
    await vi.waitFor(() => expect(h.server.subscribers('a')).toBe(1));
    h.server.publish('a', 1);
    await until(() => expect(screen.querySelector('#counter')!.textContent).toBe('1/a/true'));
    h.server.restart();
    await until(() => expect(screen.querySelector('#counter')!.textContent).toBe('1/a/false'));
    await cleanup();
  });
});
