import type { PresenceFrame, PresenceMember } from '@qwik-realtime/core/protocol';
import type { BrokerPresence } from './broker.js';
import { RealtimeError } from './errors.js';

/** Receives the `join` / `leave` frames of a watched topic. */
export type PresenceListener = (frame: PresenceFrame) => void;

/**
 * A hub's view of presence over a {@link BrokerPresence}: it refreshes the members its connections own,
 * re-reads watched topics when the broker says they changed (and every `ttlMs / 3`, which is how members of a
 * crashed instance are seen to leave) and hands local listeners what changed. Not part of the public API.
 */
export interface PresenceHub {
  /** Listen to a topic; resolves once the first read is done, to the stop function. */
  watch(topic: string, listener: PresenceListener): Promise<() => void>;
  /**
   * Add or replace a member; throws `presence_full`. An owned member (a stream of this hub) is refreshed
   * until `leave`; another (a long-poll member) only while polls `hold` it.
   */
  join(topic: string, member: PresenceMember, own?: boolean): Promise<void>;
  /** Remove a member (also one owned elsewhere, e.g. a long-poll member joined through another instance). */
  leave(topic: string, id: string): Promise<void>;
  /**
   * Keep refreshing an existing member while held (a long-poll in flight); returns the release function,
   * which leaves the member `afterMs` to be held again (by the client's next poll) before it expires.
   */
  hold(topic: string, id: string, afterMs?: number): () => void;
  /** Re-read a topic now and return its members (watched topics also tell their listeners). */
  sync(topic: string): Promise<PresenceMember[]>;
  /** Stop refreshing and watching (members left behind expire by themselves). */
  close(): void;
}

/** Settings of {@link createPresenceHub}. */
export interface PresenceHubOptions {
  ttlMs: number;
  max: number;
  onError: (error: unknown) => void;
}

interface Watched {
  listeners: Set<PresenceListener>;
  known: Map<string, PresenceMember>;
  /** Reads of one topic run one after the other, so listeners see changes in order. */
  chain: Promise<void>;
  stop: Promise<() => void>;
}

const unavailable = (error: unknown, topic: string) =>
  error instanceof RealtimeError ? error : new RealtimeError('broker_unavailable', `presence of ${topic}: ${String(error)}`, topic);

/** Create the presence of one hub. */
export function createPresenceHub(store: BrokerPresence, options: PresenceHubOptions): PresenceHub {
  const watched = new Map<string, Watched>();
  const owned = new Map<string, Map<string, PresenceMember>>();
  const held = new Map<string, Map<string, number>>();
  let timer: ReturnType<typeof setInterval> | undefined;

  const apply = (topic: string, entry: Watched, members: PresenceMember[]) => {
    const next = new Map(members.map((member) => [member.id, member]));
    const left = [...entry.known.values()].filter((member) => !next.has(member.id));
    const came = members.filter((member) => {
      const before = entry.known.get(member.id);
      return !before || JSON.stringify(before) !== JSON.stringify(member);
    });
    entry.known = next;
    const emit = (kind: 'join' | 'leave', changed: PresenceMember[]) => {
      if (changed.length === 0) return;
      const frame: PresenceFrame = { type: 'presence', topic, kind, members: changed };
      for (const listener of [...entry.listeners]) {
        try {
          listener(frame);
        } catch (error) {
          options.onError(error);
        }
      }
    };
    emit('leave', left);
    emit('join', came);
  };

  const reread = (topic: string, entry: Watched): Promise<void> => {
    entry.chain = entry.chain.then(async () => {
      try {
        apply(topic, entry, await store.list(topic));
      } catch (error) {
        options.onError(error);
      }
    });
    return entry.chain;
  };

  const tick = async () => {
    for (const [topic, members] of owned) store.refresh(topic, [...members.keys()], options.ttlMs).catch(options.onError);
    for (const [topic, ids] of held) store.refresh(topic, [...ids.keys()], options.ttlMs).catch(options.onError);
    for (const [topic, entry] of watched) void reread(topic, entry);
  };
  const schedule = () => {
    const busy = watched.size > 0 || owned.size > 0 || held.size > 0;
    if (busy && timer === undefined) timer = setInterval(() => void tick(), Math.max(1, Math.floor(options.ttlMs / 3)));
    else if (!busy && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  const hub: PresenceHub = {
    async watch(topic, listener) {
      let entry = watched.get(topic);
      if (!entry) {
        const created: Watched = { listeners: new Set(), known: new Map(), chain: Promise.resolve(), stop: Promise.resolve(() => undefined) };
        created.stop = store.watch(topic, () => void reread(topic, created));
        entry = created;
        watched.set(topic, created);
        schedule();
        try {
          await created.stop;
        } catch (error) {
          if (watched.get(topic) === created) watched.delete(topic);
          schedule();
          throw unavailable(error, topic);
        }
        await reread(topic, created);
      } else await entry.chain;
      const current = entry;
      current.listeners.add(listener);
      return () => {
        if (!current.listeners.delete(listener) || current.listeners.size > 0 || watched.get(topic) !== current) return;
        watched.delete(topic);
        schedule();
        current.stop.then((stop) => stop()).catch(options.onError);
      };
    },

    async join(topic, member, own = true) {
      let stored: boolean;
      try {
        stored = await store.join(topic, member, { ttlMs: options.ttlMs, max: options.max });
      } catch (error) {
        throw unavailable(error, topic);
      }
      if (!stored) throw new RealtimeError('presence_full', `the presence of ${topic} has its limit of ${options.max} members`, topic);
      if (!own) return;
      let members = owned.get(topic);
      if (!members) owned.set(topic, (members = new Map()));
      members.set(member.id, member);
      schedule();
    },

    async leave(topic, id) {
      const members = owned.get(topic);
      members?.delete(id);
      if (members?.size === 0) owned.delete(topic);
      schedule();
      try {
        await store.leave(topic, [id]);
      } catch (error) {
        throw unavailable(error, topic);
      }
    },

    hold(topic, id, afterMs = options.ttlMs) {
      let ids = held.get(topic);
      if (!ids) held.set(topic, (ids = new Map()));
      ids.set(id, (ids.get(id) ?? 0) + 1);
      schedule();
      store.refresh(topic, [id], options.ttlMs).catch(options.onError);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const count = (ids.get(id) ?? 1) - 1;
        if (count > 0) ids.set(id, count);
        else ids.delete(id);
        if (ids.size === 0 && held.get(topic) === ids) held.delete(topic);
        schedule();
        if (count <= 0) store.refresh(topic, [id], Math.min(afterMs, options.ttlMs)).catch(options.onError);
      };
    },

    async sync(topic) {
      const entry = watched.get(topic);
      try {
        if (!entry) return await store.list(topic);
      } catch (error) {
        throw unavailable(error, topic);
      }
      await reread(topic, entry);
      return [...entry.known.values()];
    },

    close() {
      for (const [topic, entry] of watched) {
        watched.delete(topic);
        entry.listeners.clear();
        entry.stop.then((stop) => stop()).catch(() => undefined);
      }
      owned.clear();
      held.clear();
      schedule();
    },
  };
  return hub;
}

/** The principal's `id` as a string, if it has one (a member's `principal`). */
export function principalIdOf(principal: object): string | undefined {
  const id = (principal as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

/** Check a member's `data`: JSON, at most `maxBytes` encoded. Returns a copy (what other members will see). */
export function presenceData(data: unknown, maxBytes: number): unknown {
  if (data === undefined) return null;
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch {
    json = undefined;
  }
  if (json === undefined) throw new RealtimeError('bad_request', 'presence data must be JSON');
  if (Buffer.byteLength(json) > maxBytes) throw new RealtimeError('message_too_large', `presence data is over ${maxBytes} bytes`);
  return JSON.parse(json) as unknown;
}
