import { isValidTopic } from '@qwik-realtime/core/protocol';
import type { PresenceFrame } from '@qwik-realtime/core/protocol';
import type { Principal } from '../auth.js';
import { RealtimeError } from '../errors.js';
import type { HubContext } from '../hub-context.js';

/** The presence part of one long-poll (`presence=<topic>&connectionId=<id>[&presenceTag=<tag>]`). */
export interface PollPresence {
  /** Keep the member alive and watch its topics for the duration of the poll; `wake` on any change. */
  start(wake: () => void): Promise<void>;
  /** The member lists and their tag when they differ from the poll's `presenceTag`. */
  changed(): Promise<{ presence: PresenceFrame[]; presenceTag: string } | undefined>;
  release(): void;
}

/** FNV-1a of the lists: equal lists give equal tags on every instance. */
function tagOf(frames: PresenceFrame[]): string {
  const text = JSON.stringify(frames.map((frame) => [frame.topic, [...frame.members].sort((a, b) => (a.id < b.id ? -1 : 1))]));
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return `${hash.toString(36)}.${frames.length}`;
}

/**
 * Read the presence query of a poll; undefined when it has none. The member itself is created by
 * `POST /presence` with `poll: true`; a poll only keeps it alive (it expires `heartbeatMs` after the last
 * poll ended, at most `presenceTtlMs`) and tells the client about changes: the answer carries every list whenever they differ from
 * the tag the client sent, and a waiting poll is answered as soon as one changes.
 */
export function pollPresenceOf<P extends Principal>(ctx: HubContext<P>, url: URL): PollPresence | undefined {
  const topics = [...new Set(url.searchParams.getAll('presence'))];
  if (topics.length === 0) return undefined;
  const id = url.searchParams.get('connectionId');
  if (!id || id.length > 128) throw new RealtimeError('bad_request', 'presence= needs a connectionId');
  if (topics.length > ctx.options.maxTopicsPerConnection) throw new RealtimeError('too_many_topics', `at most ${ctx.options.maxTopicsPerConnection} presence topics`);
  for (const topic of topics) if (!isValidTopic(topic)) throw new RealtimeError('invalid_topic', `invalid presence topic ${JSON.stringify(topic).slice(0, 140)}`);
  const sent = url.searchParams.get('presenceTag');
  const releases: (() => void)[] = [];
  let wake: () => void = () => undefined;
  return {
    async start(onChange) {
      wake = onChange;
      // Between two polls of a client there is a round trip, not a heartbeat: a member whose client stopped
      // polling (a closed tab) expires one heartbeat after its last poll ended.
      for (const topic of topics) releases.push(ctx.presence.hold(topic, id, ctx.options.heartbeatMs));
      await Promise.all(topics.map(async (topic) => releases.push(await ctx.presence.watch(topic, () => wake()))));
    },
    async changed() {
      const presence = await Promise.all(topics.map(async (topic): Promise<PresenceFrame> => ({ type: 'presence', topic, kind: 'sync', members: await ctx.presence.sync(topic) })));
      const presenceTag = tagOf(presence);
      return presenceTag === sent ? undefined : { presence, presenceTag };
    },
    release() {
      wake = () => undefined;
      for (const release of releases.splice(0)) release();
    },
  };
}
