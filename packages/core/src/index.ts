export { createClient } from './create-client.js';
export { createBaseClient } from './base-client.js';
export { joinPresence } from './presence.js';
export { createConnection } from './connection.js';
export { webSocketTransport } from './transports/websocket.js';
export { eventSourceTransport } from './transports/event-source.js';
export { fetchSseTransport } from './transports/fetch-sse.js';
export { longPollTransport } from './transports/long-poll.js';
export { backoffDelay } from './backoff.js';
export { createDedup } from './dedup.js';
export { createWatchdog } from './heartbeat.js';
export { resolvePlatform } from './platform.js';
export { clientError } from './errors.js';

export type { ClientOptions } from './create-client.js';
export type { BaseClientOptions } from './client.js';
export type { PresenceHandle, PresenceState, PresenceStatus } from './presence-types.js';
export type { Connection, ConnectionOptions } from './connection.js';
export type { WebSocketTransportOptions } from './transports/websocket.js';
export type { EventSourceTransportOptions } from './transports/event-source.js';
export type { FetchSseTransportOptions } from './transports/fetch-sse.js';
export type { LongPollTransportOptions } from './transports/long-poll.js';
export type { BackoffOptions } from './backoff.js';
export type { Dedup } from './dedup.js';
export type { Watchdog } from './heartbeat.js';
export type { PublishError } from './errors.js';
export type {
  Platform,
  ResolvedPlatform,
  WebSocketLike,
  WebSocketConstructor,
  EventSourceLike,
  EventSourceConstructor,
  FetchLike,
  EventTargetLike,
  VisibilitySource,
} from './platform.js';
export type { Transport, TransportSession, TransportEvents, TransportContext, TopicRequest, CloseReason } from './transport.js';
export type {
  ConnectionStatus,
  TransportName,
  ClientError,
  ConnectionState,
  SubscriptionEvent,
  ConflationEvent,
  TopicStatus,
  TopicState,
  SubscribeOptions,
  Subscription,
  PublishOptions,
  RealtimeClient,
} from './types.js';
export type { Envelope, Position, PublishAck, ErrorCode, RetryPolicy, PresenceMember } from './protocol/index.js';
