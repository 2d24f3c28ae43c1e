import type { PresenceMember } from './protocol/presence.js';
import type { ClientError } from './types.js';

/** Where a presence handle stands. */
export type PresenceStatus = 'joining' | 'joined' | 'rejoining' | 'failed' | 'left';

/** Snapshot of one topic's presence as this client sees it. Plain data (safe in a Qwik store). */
export interface PresenceState<T = unknown> {
  topic: string;
  /**
   * `joining` until the server sent the member list; `joined` after; `rejoining` after a connection drop
   * (the last list is kept until the new one arrives); `failed` after a `no_retry` error; `left` after `leave()`.
   */
  status: PresenceStatus;
  /** Every member, this connection included, oldest join first. */
  members: PresenceMember<T>[];
  /** This client's member id (the connection id), once joined. */
  self: string | null;
  /** The last error, cleared once joined again. */
  error: ClientError | null;
}

/** Handle of {@link RealtimeClient.presence}: call `leave` exactly when the consumer goes away. */
export interface PresenceHandle<T = unknown> {
  readonly topic: string;
  /** Current members. */
  members(): PresenceMember<T>[];
  /** Current snapshot. */
  state(): PresenceState<T>;
  /** Called with a new snapshot on every change; returns the unsubscribe function. */
  onChange(listener: (state: PresenceState<T>) => void): () => void;
  /** Replace this client's data (other members see a `join` with the new data). */
  update(data: T): void;
  /** Leave (the topic's presence is left once its last handle leaves). */
  leave(): void;
}
