import { backoffDelay } from './backoff.js';
import type { BaseClientOptions } from './client.js';
import type { Connection } from './connection.js';
import { clientError, clientErrorOfBody, tokenError } from './errors.js';
import { randomId } from './platform.js';
import type { ResolvedPlatform } from './platform.js';
import type { ErrorBody } from './protocol/codes.js';
import { isValidTopic } from './protocol/topic.js';
import type { PresenceFrame, PresenceMember, PresenceRequest } from './protocol/presence.js';
import type { PresenceHandle, PresenceState } from './presence-types.js';
import { presenceSeam } from './presence-seam.js';
import { readJson } from './transports/read-json.js';
import type { ClientError, RealtimeClient, Subscription } from './types.js';

/**
 * What {@link createPresence} gets from the client: its options (token, headers), mount URL, platform,
 * connection, listener guard, and the client itself (present topics are held with a subscription, so the
 * connection stays up and SSE/long-poll carry them). Positional: this seam is in every client bundle.
 */
export type PresenceDeps = [
  options: Pick<BaseClientOptions, 'getToken' | 'headers'>,
  url: string,
  platform: ResolvedPlatform,
  connection: Connection,
  safely: (call: () => void) => void,
  client: RealtimeClient,
];

/** The client's presence: one member per topic, shared by every handle of that topic. */
export interface Presence {
  join<T>(topic: string, data?: T): PresenceHandle<T>;
  /** A `presence` frame/event/poll entry arrived (`tag`: the long-poll answer's `presenceTag`). */
  frame(frame: PresenceFrame | undefined, tag?: string): void;
  /** An error frame answering a join (`ref` starting with `presence:`); true if it was one. */
  error(body: ErrorBody): boolean;
  /** A session opened (`connectionId` from `hello`; none for long-poll): (re)join every topic. */
  opened(connectionId?: string): void;
  /** The session dropped: members are kept until the next list. */
  dropped(): void;
  /** Add the long-poll presence parameters to a poll. */
  poll(query: URLSearchParams): void;
  close(): void;
}

interface Entry {
  state: PresenceState;
  data: unknown;
  handles: number;
  listeners: Set<(state: PresenceState) => void>;
  hold: Subscription;
  ref: string;
  attempt: number;
  retryTimer?: unknown;
}

const sorted = (members: Iterable<PresenceMember>) => [...members].sort((a, b) => a.joinedAt - b.joinedAt || (a.id < b.id ? -1 : 1));

/** Create the presence part of a client (attached by {@link joinPresence}). */
export function createPresence(...[options, url, platform, connection, safely, client]: PresenceDeps): Presence {
  const entries = new Map<string, Entry>();
  /** The id a long-poll client is known by (a poll has no `hello`): one per client, for every topic. */
  let ownId: string | undefined;
  // Drawn on first use: a client that never uses presence takes nothing from `platform.random`.
  const pollId = () => (ownId ??= `poll-${randomId(platform)}`);
  let connectionId: string | undefined;
  let polling = false;
  /** The long-poll answer's `presenceTag`: the server answers at once when the lists differ from it. */
  let tag: string | undefined;

  const set = (entry: Entry, patch: Partial<PresenceState>) => {
    entry.state = { ...entry.state, ...patch };
    for (const listener of [...entry.listeners]) safely(() => listener(entry.state));
  };

  const fail = (entry: Entry, error: ClientError) => {
    if (entries.get(entry.state.topic) !== entry) return;
    if (error.retry === 'no_retry') return set(entry, { status: 'failed', error });
    set(entry, { status: 'rejoining', error });
    platform.clearTimeout(entry.retryTimer);
    entry.retryTimer = platform.setTimeout(() => {
      entry.retryTimer = undefined;
      send(entry);
    }, backoffDelay(entry.attempt++, platform.random()));
  };

  const post = async (request: PresenceRequest): Promise<PresenceFrame | undefined> => {
    const fetch = platform.fetch();
    if (!fetch) throw clientError('internal', '@qwik-realtime/core: no fetch to join presence with');
    let token: string | undefined;
    try {
      token = (await options.getToken?.()) ?? undefined;
    } catch (error) {
      throw tokenError(error);
    }
    let response: Response;
    try {
      response = await fetch(`${url}/presence`, {
        method: 'POST',
        credentials: 'include',
        headers: { ...options.headers, 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(request),
      });
    } catch (error) {
      throw clientError('disconnected', `@qwik-realtime/core: presence request failed: ${String(error)}`, request.topic);
    }
    // Members are bounded by the hub (count x 1 KiB of data); an endless answer is not buffered.
    const body = await readJson<PresenceFrame | ErrorBody>(response, 2 ** 24);
    if (!response.ok) throw clientErrorOfBody(body as ErrorBody | undefined, response.status);
    return body && 'type' in body ? body : undefined;
  };

  /** Send a join for `entry` over the open session (a frame over WebSocket, else `POST /presence`). */
  const send = (entry: Entry) => {
    if (connection.state().status !== 'open' || entries.get(entry.state.topic) !== entry) return;
    const { topic } = entry.state;
    entry.ref = `presence:${randomId(platform)}`;
    const session = connection.session();
    if (session?.presence) return session.presence({ type: 'presence_join', topic, data: entry.data, ref: entry.ref });
    const id = polling ? pollId() : connectionId;
    if (id === undefined) return;
    const ref = entry.ref;
    const request: PresenceRequest = { action: 'join', topic, connectionId: id, data: entry.data };
    if (polling) request.poll = true;
    post(request).then(
      (frame) => frame && entry.ref === ref && presence.frame({ ...frame, ref }),
      (error: ClientError) => entry.ref === ref && fail(entry, error),
    );
  };

  const sendLeave = (topic: string) => {
    const session = connection.session();
    if (connection.state().status !== 'open') return;
    if (session?.presence) return session.presence({ type: 'presence_leave', topic });
    const id = polling ? pollId() : connectionId;
    if (id !== undefined) post({ action: 'leave', topic, connectionId: id, ...(polling ? { poll: true } : {}) }).catch(() => undefined);
  };

  const presence: Presence = {
    join<T>(topic: string, data?: T): PresenceHandle<T> {
      let entry = entries.get(topic);
      if (entry) {
        entry.handles++;
        if (data !== undefined) {
          entry.data = data;
          send(entry);
        }
      } else {
        const state: PresenceState = { topic, status: 'joining', members: [], self: null, error: null };
        const created: Entry = { state, data: data ?? null, handles: 1, listeners: new Set(), hold: client.subscribe(topic, {}), ref: '', attempt: 0 };
        entry = created;
        entries.set(topic, created);
        send(created);
      }
      const owner = entry;
      let active = true;
      const own = new Set<(state: PresenceState) => void>();
      return {
        topic,
        members: () => owner.state.members as PresenceMember<T>[],
        state: () => owner.state as PresenceState<T>,
        onChange(listener) {
          const wrapped = listener as (state: PresenceState) => void;
          owner.listeners.add(wrapped);
          own.add(wrapped);
          return () => {
            owner.listeners.delete(wrapped);
            own.delete(wrapped);
          };
        },
        update(next) {
          if (!active) return;
          owner.data = next;
          send(owner);
        },
        leave() {
          if (!active) return;
          active = false;
          for (const listener of own) owner.listeners.delete(listener);
          if (--owner.handles > 0 || entries.get(topic) !== owner) return;
          entries.delete(topic);
          platform.clearTimeout(owner.retryTimer);
          sendLeave(topic);
          owner.hold.unsubscribe();
          set(owner, { status: 'left' });
        },
      };
    },

    frame(frame, answerTag) {
      if (answerTag !== undefined) tag = answerTag;
      const entry = frame && entries.get(frame.topic);
      if (!entry || !Array.isArray(frame.members)) return;
      if (frame.kind === 'sync') {
        // Only the answer to the current join says "joined" (an older one may still be on its way); a list
        // without a ref (an SSE stream's copy, a long-poll answer) only updates the members.
        if (frame.ref !== undefined && frame.ref !== entry.ref) return;
        if (frame.ref === undefined) return set(entry, { members: sorted(frame.members) });
        entry.attempt = 0;
        const self = polling ? pollId() : (connectionId ?? null);
        return set(entry, { status: 'joined', members: sorted(frame.members), self, error: null });
      }
      const members = new Map(entry.state.members.map((member) => [member.id, member]));
      for (const member of frame.members) {
        if (frame.kind === 'leave') members.delete(member.id);
        else members.set(member.id, member);
      }
      set(entry, { members: sorted(members.values()) });
    },

    error(body) {
      if (!body.ref?.startsWith('presence:')) return false;
      const entry = [...entries.values()].find((each) => each.ref === body.ref);
      if (entry) fail(entry, clientErrorOfBody(body));
      return true;
    },

    opened(id) {
      connectionId = id;
      polling = id === undefined;
      for (const entry of entries.values()) {
        platform.clearTimeout(entry.retryTimer);
        entry.retryTimer = undefined;
        send(entry);
      }
    },

    dropped() {
      for (const entry of entries.values()) if (entry.state.status === 'joined') set(entry, { status: 'rejoining' });
    },

    poll(query) {
      if (!polling || entries.size === 0) return;
      query.set('connectionId', pollId());
      for (const topic of entries.keys()) query.append('presence', topic);
      if (tag) query.set('presenceTag', tag);
    },

    close() {
      for (const entry of entries.values()) {
        platform.clearTimeout(entry.retryTimer);
        set(entry, { status: 'left' });
        entry.listeners.clear();
      }
      entries.clear();
    },
  };
  return presence;
}

/** A handle that never joins (a client without presence). */
function failedHandle<T>(topic: string, error: ClientError): PresenceHandle<T> {
  const state: PresenceState<T> = { topic, status: 'failed', members: [], self: null, error };
  return { topic, members: () => [], state: () => state, onChange: () => () => undefined, update: () => undefined, leave: () => undefined };
}

/**
 * Join a topic's presence with small JSON `data` (docs/protocol.md, Presence): the handle follows the member
 * list, rejoins after every reconnect and holds a subscription of the topic while present. Works on clients
 * made by `createClient` / `createBaseClient` (others get a `failed` handle); a separate function, so clients
 * that never use presence do not bundle it.
 * @example
 * const room = joinPresence(client, 'room:1', { name: 'Ann' });
 * room.onChange((state) => render(state.members));
 * // later
 * room.leave();
 */
export function joinPresence<T = unknown>(client: RealtimeClient, topic: string, data?: T): PresenceHandle<T> {
  const attach = (client as { [presenceSeam]?: (make: typeof createPresence) => Presence })[presenceSeam];
  if (!attach) return failedHandle(topic, clientError('internal', '@qwik-realtime/core: this client has no presence (use createClient/createBaseClient)', topic));
  if (!isValidTopic(topic)) return failedHandle(topic, clientError('invalid_topic', `@qwik-realtime/core: invalid topic ${JSON.stringify(topic)}`, topic));
  return attach(createPresence).join(topic, data);
}
