import type { Envelope, Position, PublishAck } from '../protocol/index.js';
import type { ClientError, ConflationEvent, ConnectionState, SubscriptionEvent, TopicState, TransportName } from '../types.js';

/**
 * What a tab tells the connection host about the endpoint it wants. Plain data: it crosses `postMessage`,
 * and two tabs with equal configs share one client (one connection) in the host.
 */
export interface HostEndpoint {
  /** Hub mount URL, absolute (the host resolves nothing against a page it does not have). */
  url: string;
  /** Transports to try, in order, by name (the tab passed them as values). @default every transport the host has */
  transports?: TransportName[];
  /** Plain-data options for the host's core client (`teardownDelayMs`, `backoff`, ...). */
  options?: Record<string, unknown>;
  /** The tab answers token requests (its `getToken`); the host asks a live tab before each attempt. */
  tokens?: boolean;
}

/** One message or event for one subscription of a tab, in arrival order. */
export type HostItem =
  | { sub: number; kind: 'messages'; messages: Envelope[]; skipped: number }
  | { sub: number; kind: 'subscribed'; event: SubscriptionEvent }
  | { sub: number; kind: 'error'; error: ClientError }
  | { sub: number; kind: 'topic-state'; state: TopicState }
  | { sub: number; kind: 'conflated'; event: ConflationEvent };

/** Tab -> host. */
export type TabMessage =
  | { type: 'hello'; endpoint: HostEndpoint }
  | { type: 'subscribe'; sub: number; topic: string; since?: Position; history?: number; last?: number }
  | { type: 'unsubscribe'; sub: number }
  | { type: 'publish'; ref: number; topic: string; data: unknown; id?: string }
  | { type: 'connect' }
  | { type: 'close' }
  /** The tab handled the last batch (in an animation frame): the host may send the next one. */
  | { type: 'ready' }
  | { type: 'pong' }
  | { type: 'token'; ref: number; token: string | null; error?: string }
  /** `pagehide`: release everything of this tab now. */
  | { type: 'bye' };

/** Host -> tab. */
export type HostMessage =
  | { type: 'state'; state: ConnectionState }
  | { type: 'batch'; items: HostItem[] }
  | { type: 'ack'; ref: number; ack: PublishAck }
  | { type: 'nack'; ref: number; error: ClientError }
  | { type: 'ping' }
  | { type: 'get-token'; ref: number }
  /** The host had given this tab up (silent too long): say hello and subscribe again. */
  | { type: 'released' };

/** The part of a `MessagePort` (DOM or `node:worker_threads`) the host and the tab use. */
export interface PortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  start?(): void;
  close(): void;
}
