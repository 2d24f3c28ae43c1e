import type { PresenceMember } from '@qwik-realtime/core/protocol';
import type { BrokerPresence } from '../broker.js';

interface Slot {
  member: PresenceMember;
  expiresAt: number;
}

/**
 * In-process {@link BrokerPresence}: shared by the hubs of one process that share the memory broker (and the
 * fallback of a hub whose broker has no presence). Expiry is read-time (`list` skips and drops expired
 * members), so there is no timer to stop and the clock is injectable.
 */
export function createMemoryPresence(now: () => number = () => Date.now()): BrokerPresence {
  const topics = new Map<string, Map<string, Slot>>();
  const watchers = new Map<string, Set<() => void>>();

  const live = (topic: string): Map<string, Slot> | undefined => {
    const slots = topics.get(topic);
    if (!slots) return undefined;
    const at = now();
    for (const [id, slot] of slots) if (slot.expiresAt <= at) slots.delete(id);
    if (slots.size === 0) topics.delete(topic);
    return slots.size === 0 ? undefined : slots;
  };
  // Like a broker's pub/sub: watchers hear about a change after the call that made it returned.
  const notify = (topic: string) => {
    for (const onChange of watchers.get(topic) ?? []) queueMicrotask(onChange);
  };

  return {
    async join(topic, member, { ttlMs, max }) {
      const slots = live(topic) ?? new Map<string, Slot>();
      if (!slots.has(member.id) && slots.size >= max) return false;
      slots.set(member.id, { member: { ...member }, expiresAt: now() + ttlMs });
      topics.set(topic, slots);
      notify(topic);
      return true;
    },
    async refresh(topic, ids, ttlMs) {
      const slots = live(topic);
      if (!slots) return;
      for (const id of ids) {
        const slot = slots.get(id);
        if (slot) slot.expiresAt = now() + ttlMs;
      }
    },
    async leave(topic, ids) {
      const slots = live(topic);
      if (!slots) return;
      let changed = false;
      for (const id of ids) changed = slots.delete(id) || changed;
      if (slots.size === 0) topics.delete(topic);
      if (changed) notify(topic);
    },
    async list(topic) {
      return [...(live(topic)?.values() ?? [])].map((slot) => ({ ...slot.member }));
    },
    async watch(topic, onChange) {
      let set = watchers.get(topic);
      if (!set) watchers.set(topic, (set = new Set()));
      const own = () => onChange();
      set.add(own);
      return () => {
        set.delete(own);
        if (set.size === 0 && watchers.get(topic) === set) watchers.delete(topic);
      };
    },
  };
}
