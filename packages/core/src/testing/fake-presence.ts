import type { PresenceFrame, PresenceJoinFrame, PresenceLeaveFrame, PresenceMember } from '../protocol/presence.js';
import type { TransportEvents } from '../transport.js';

/** The presence part of the fake server (see {@link FakeServer}). */
export interface FakePresence {
  /** Members of `topic`'s presence now. */
  presence(topic: string): PresenceMember[];
  /** Add (or replace) a member as another user on another connection would; joined sessions see a `join`. */
  joinPresence(topic: string, member: Pick<PresenceMember, 'id' | 'data'> & Partial<PresenceMember>): void;
  /** Remove a member; joined sessions see a `leave`. */
  leavePresence(topic: string, id: string): void;
}

interface Owner {
  id: string;
  events: TransportEvents;
}

/** In-memory presence for the fake transport: members per topic, each owned by a session or by the test. */
export function createFakePresence(later: (call: () => void) => void, live: (owner: Owner) => boolean) {
  const topics = new Map<string, Map<string, { member: PresenceMember; owner?: Owner }>>();
  const slots = (topic: string) => {
    let slot = topics.get(topic);
    if (!slot) topics.set(topic, (slot = new Map()));
    return slot;
  };
  const tell = (topic: string, frame: PresenceFrame, except?: Owner) => {
    const owners = new Set([...slots(topic).values()].map((slot) => slot.owner).filter((owner): owner is Owner => !!owner && owner !== except));
    for (const owner of owners) later(() => live(owner) && owner.events.presence?.(frame));
  };
  const put = (topic: string, member: PresenceMember, owner?: Owner) => {
    slots(topic).set(member.id, { member, owner });
    tell(topic, { type: 'presence', topic, kind: 'join', members: [member] }, owner);
  };
  const remove = (topic: string, id: string) => {
    const slot = slots(topic).get(id);
    if (!slot) return;
    slots(topic).delete(id);
    tell(topic, { type: 'presence', topic, kind: 'leave', members: [slot.member] });
  };
  const api: FakePresence = {
    presence: (topic) => [...slots(topic).values()].map((slot) => slot.member),
    joinPresence: (topic, member) => put(topic, { joinedAt: Date.now(), ...member }),
    leavePresence: remove,
  };
  return {
    api,
    /** A frame from a session's client. */
    frame(owner: Owner, frame: PresenceJoinFrame | PresenceLeaveFrame) {
      later(() => {
        if (!live(owner)) return;
        if (frame.type === 'presence_leave') return remove(frame.topic, owner.id);
        put(frame.topic, { id: owner.id, data: frame.data ?? null, joinedAt: Date.now() }, owner);
        const sync: PresenceFrame = { type: 'presence', topic: frame.topic, kind: 'sync', members: api.presence(frame.topic) };
        if (frame.ref !== undefined) sync.ref = frame.ref;
        owner.events.presence?.(sync);
      });
    },
    /** A session ended: its members leave. */
    end(owner: Owner) {
      for (const [topic, slot] of topics) for (const [id, each] of slot) if (each.owner === owner) remove(topic, id);
    },
  };
}
