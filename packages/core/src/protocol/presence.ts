/** Largest JSON encoding of a member's `data`, bytes (the hub may lower it with `maxPresenceDataBytes`). */
export const MAX_PRESENCE_DATA_BYTES = 1024;

/**
 * One member of a topic's presence: a connection that joined, with its principal and small data. Plain JSON.
 * @typeParam T - the type of `data`, as the app agrees it.
 */
export interface PresenceMember<T = unknown> {
  /** The connection id (`hello.connectionId`; for long-poll, the id the client chose). Unique per topic. */
  id: string;
  /** The principal's `id` as a string, when the principal has one. */
  principal?: string;
  /** What the client sent on join (any JSON value, at most {@link MAX_PRESENCE_DATA_BYTES} encoded). */
  data: T;
  /** Server time of the join, ms since the Unix epoch. */
  joinedAt: number;
}

/** Client -> server (WebSocket): join a topic's presence, or replace this connection's data in it. */
export interface PresenceJoinFrame {
  type: 'presence_join';
  topic: string;
  data?: unknown;
  /** Echoed in the `presence` sync or the `error` answer. */
  ref?: string;
}

/** Client -> server (WebSocket): leave a topic's presence. */
export interface PresenceLeaveFrame {
  type: 'presence_leave';
  topic: string;
  ref?: string;
}

/**
 * Server -> client: `sync` is the whole member list (the answer to a join, and every long-poll change);
 * `join` / `leave` name the members that came or went since. A `join` of a known id replaces its data.
 */
export interface PresenceFrame {
  type: 'presence';
  topic: string;
  kind: 'sync' | 'join' | 'leave';
  members: PresenceMember[];
  ref?: string;
}

/** Body of `POST {path}/presence` (SSE and long-poll clients). */
export interface PresenceRequest {
  action: 'join' | 'leave';
  topic: string;
  /** SSE: the stream's `hello.connectionId`; long-poll: the id the client sends as `connectionId` with every poll. */
  connectionId: string;
  data?: unknown;
  /**
   * A long-poll member: no stream of this hub carries `connectionId`; the member lives while polls that
   * name it (`connectionId=` + `presence=<topic>`) keep coming, and expires `presenceTtlMs` after the last.
   */
  poll?: boolean;
}
