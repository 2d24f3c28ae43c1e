import type { PresenceFrame } from '@qwik-realtime/core/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryPresence } from './brokers/memory-presence.js';
import { createPresenceHub } from './presence.js';

const member = (id: string) => ({ id, data: { id }, joinedAt: 1 });

describe('createPresenceHub (two hubs over one memory presence, fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('GIVEN a member of hub A WHEN many TTLs pass THEN A keeps it alive; WHEN A stops (crash) THEN B sees it leave within 1⅓ TTL', async () => {
    const store = createMemoryPresence();
    const a = createPresenceHub(store, { ttlMs: 3000, max: 10, onError: (error) => Promise.reject(error) });
    const b = createPresenceHub(store, { ttlMs: 3000, max: 10, onError: (error) => Promise.reject(error) });
    const frames: PresenceFrame[] = [];
    const stop = await b.watch('room', (frame) => frames.push(frame));
    await a.join('room', member('m1'));
    await vi.advanceTimersByTimeAsync(1);
    expect(frames).toEqual([{ type: 'presence', topic: 'room', kind: 'join', members: [member('m1')] }]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(await b.sync('room')).toEqual([member('m1')]);
    expect(frames.filter((frame) => frame.kind === 'leave')).toEqual([]);
    a.close();
    await vi.advanceTimersByTimeAsync(4000);
    expect(frames.at(-1)).toEqual({ type: 'presence', topic: 'room', kind: 'leave', members: [member('m1')] });
    stop();
    b.close();
  });

  it('GIVEN a full topic WHEN a new member joins THEN presence_full; a known member may join again (new data)', async () => {
    const hub = createPresenceHub(createMemoryPresence(), { ttlMs: 3000, max: 1, onError: () => undefined });
    await hub.join('room', member('m1'));
    await expect(hub.join('room', member('m2'))).rejects.toMatchObject({ code: 'presence_full', topic: 'room' });
    await hub.join('room', { ...member('m1'), data: 'new' });
    expect(await hub.sync('room')).toEqual([{ ...member('m1'), data: 'new' }]);
    await hub.leave('room', 'm1');
    await hub.join('room', member('m2'));
    hub.close();
  });

  it('GIVEN a held long-poll member WHEN the hold is released THEN it expires after the grace the release gives (not the whole TTL)', async () => {
    const store = createMemoryPresence();
    const hub = createPresenceHub(store, { ttlMs: 3000, max: 10, onError: () => undefined });
    await hub.join('room', member('poll-1'), false);
    const release = hub.hold('room', 'poll-1', 1000);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await store.list('room')).toEqual([member('poll-1')]);
    release();
    await vi.advanceTimersByTimeAsync(999);
    expect(await store.list('room')).toEqual([member('poll-1')]);
    await vi.advanceTimersByTimeAsync(2);
    expect(await store.list('room')).toEqual([]);
    hub.close();
  });
});
