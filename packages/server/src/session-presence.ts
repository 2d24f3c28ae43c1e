import { isValidTopic } from '@qwik-realtime/core/protocol';
import type { PresenceFrame, PresenceMember } from '@qwik-realtime/core/protocol';
import type { Principal } from './auth.js';
import { RealtimeError } from './errors.js';
import type { HubContext } from './hub-context.js';
import { presenceData, principalIdOf } from './presence.js';

/** What a session's presence needs from the session. */
export interface PresenceOwner<P extends Principal> {
  readonly id: string;
  readonly principal: P;
  /** Whether the session ended. */
  done(): boolean;
  write(frame: PresenceFrame): void;
  /** Report an error about one topic's presence (a revoked join: `ref` is that join's). */
  error(error: unknown, topic: string, ref?: string): void;
}

/** The presence topics of one SSE/WebSocket session: joined with it, left with it. */
export interface SessionPresence<P extends Principal = Principal> {
  /**
   * Validate, authorize (`presence`) and join; writes the member list (`sync`) and returns it (undefined when
   * the session ended meanwhile). Throws a `RealtimeError` (invalid topic or data, forbidden, presence_full).
   */
  join(topic: unknown, data: unknown, ref?: string): Promise<PresenceFrame | undefined>;
  /** Leave a topic's presence (no answer); throws `invalid_topic`. */
  leave(topic: unknown): void;
  /**
   * The principal changed (WebSocket re-`auth`): ask `authorize(principal, 'presence', topic)` again and leave
   * the topics it refuses, reporting `forbidden` with the ref of the topic's join (revocation).
   */
  recheck(principal: P): Promise<void>;
  /** The session ended: leave everything. */
  release(): void;
}

/** Create the presence part of a session. */
export function createSessionPresence<P extends Principal>(ctx: HubContext<P>, owner: PresenceOwner<P>): SessionPresence<P> {
  const { options } = ctx;
  /** Joined topics and their watch's stop function; `synced` once the member list was sent. */
  const joined = new Map<string, { stop?: () => void; synced: boolean; ref?: string }>();

  const drop = (topic: string) => {
    const entry = joined.get(topic);
    if (!entry) return false;
    joined.delete(topic);
    entry.stop?.();
    ctx.presence.leave(topic, owner.id).catch(options.onError);
    return true;
  };

  return {
    async join(topic, data, ref) {
      if (owner.done()) return undefined;
      if (!isValidTopic(topic)) throw new RealtimeError('invalid_topic', `invalid topic ${JSON.stringify(topic)?.slice(0, 140)}`);
      const value = presenceData(data, options.maxPresenceDataBytes);
      if (!joined.has(topic) && joined.size >= options.maxTopicsPerConnection) {
        throw new RealtimeError('too_many_topics', `at most ${options.maxTopicsPerConnection} presence topics per connection`, topic);
      }
      if (!(await ctx.authorize(owner.principal, 'presence', topic))) throw new RealtimeError('forbidden', `not allowed to join the presence of ${topic}`, topic);
      let entry = joined.get(topic);
      if (!entry) {
        const created: { stop?: () => void; synced: boolean; ref?: string } = { synced: false };
        entry = created;
        joined.set(topic, created);
        let stop: () => void;
        try {
          stop = await ctx.presence.watch(topic, (frame) => {
            if (created.synced && !owner.done()) owner.write(frame);
          });
        } catch (error) {
          if (joined.get(topic) === created) joined.delete(topic);
          throw error;
        }
        if (joined.get(topic) !== created || owner.done()) return void stop();
        created.stop = stop;
      }
      const member: PresenceMember = { id: owner.id, data: value, joinedAt: options.now() };
      const principal = principalIdOf(owner.principal);
      if (principal !== undefined) member.principal = principal;
      try {
        await ctx.presence.join(topic, member);
      } catch (error) {
        if (joined.get(topic) === entry && !entry.synced) {
          joined.delete(topic);
          entry.stop?.();
        }
        throw error;
      }
      if (owner.done()) {
        ctx.presence.leave(topic, owner.id).catch(options.onError);
        return undefined;
      }
      const members = await ctx.presence.sync(topic);
      const frame: PresenceFrame = { type: 'presence', topic, kind: 'sync', members };
      if (ref !== undefined) frame.ref = ref;
      owner.write(frame);
      entry.synced = true;
      entry.ref = ref;
      return frame;
    },

    leave(topic) {
      if (!isValidTopic(topic)) throw new RealtimeError('invalid_topic', 'invalid topic');
      drop(topic);
    },

    async recheck(principal) {
      await Promise.all(
        [...joined].map(async ([topic, entry]) => {
          let error: unknown;
          try {
            if (!(await ctx.authorize(principal, 'presence', topic))) error = new RealtimeError('forbidden', `not allowed in the presence of ${topic} any more`, topic);
          } catch (thrown) {
            error = thrown;
          }
          // A later re-auth or a leave meanwhile: only the current principal and entry count.
          if (error === undefined || owner.done() || owner.principal !== principal || joined.get(topic) !== entry) return;
          drop(topic);
          owner.error(error, topic, entry.ref);
        }),
      );
    },

    release() {
      for (const topic of [...joined.keys()]) drop(topic);
    },
  };
}
