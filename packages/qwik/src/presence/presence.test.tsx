import { component$ } from '@builder.io/qwik';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { harness, mount, texts, type Harness } from '../test-helpers.js';
import { PresenceList } from './presence-list.js';
import { usePresence$ } from './use-presence.js';

const Counter = component$<{ name: string }>((props) => {
  const { membersSig, presenceSig, stateSig } = usePresence$(
    (state) => {
      (globalThis as { changes?: number }).changes = ((globalThis as { changes?: number }).changes ?? 0) + state.members.length;
    },
    { topic: 'room', data: { name: props.name } },
  );
  return (
    <p id="who" data-state={presenceSig.value.status} data-connection={stateSig.value.status}>
      {membersSig.value.map((m) => (m.data as { name: string }).name).join(',')}
    </p>
  );
});

describe('presence in Qwik', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });
  afterEach(() => h.dispose());

  it('GIVEN usePresence$ WHEN another user joins and leaves THEN the members signal follows and the callback runs', async () => {
    const { screen, until, cleanup } = await mount(<Counter name="Ann" />);
    const who = () => screen.querySelector('#who') as Element;
    await until(() => expect(who().getAttribute('data-state')).toBe('joined'));
    expect(who().textContent).toBe('Ann');
    expect(who().getAttribute('data-connection')).toBe('open');
    expect(h.server.presence('room').map((m) => m.data)).toEqual([{ name: 'Ann' }]);
    h.server.joinPresence('room', { id: 'other', data: { name: 'Bob' }, joinedAt: Date.now() + 1 });
    await until(() => expect(who().textContent).toBe('Ann,Bob'));
    h.server.leavePresence('room', 'other');
    await until(() => expect(who().textContent).toBe('Ann'));
    expect((globalThis as { changes?: number }).changes).toBeGreaterThan(0);
    await cleanup();
    // Unmounting leaves.
    await vi.waitFor(() => expect(h.server.presence('room')).toEqual([]));
  });

  it('GIVEN a PresenceList WHEN members come and go THEN it lists them, marks this user and counts them', async () => {
    const { screen, until, cleanup } = await mount(<PresenceList topic="lobby" data={{ name: 'Ann' }} aria-label="Here" />);
    const list = () => screen.querySelector('ul') as Element;
    await until(() => expect(list().getAttribute('data-state')).toBe('joined'));
    h.server.joinPresence('lobby', { id: 'b', principal: 'bob', data: null, joinedAt: Date.now() + 1 });
    await until(() => expect(texts(screen, 'li')).toEqual(['Ann', 'bob']));
    expect(list().getAttribute('data-count')).toBe('2');
    expect(list().getAttribute('aria-label')).toBe('Here');
    expect(texts(screen, 'li[data-self="true"]')).toEqual(['Ann']);
    h.server.drop();
    // After a drop the client rejoins by itself; the test user is still listed.
    await until(() => expect(h.server.presence('lobby').some((m) => (m.data as { name?: string } | null)?.name === 'Ann')).toBe(true));
    await until(() => expect(list().getAttribute('data-state')).toBe('joined'));
    await cleanup();
  });
});
