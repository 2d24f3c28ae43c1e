export { RealtimeProvider } from './realtime-provider.js';
export { registerClient } from './client-registry.js';
export { reconnect } from './reconnect.js';
export { useSubscription$, useSubscriptionQrl } from './use-subscription.js';
export { useChannel$, useChannelQrl, useChannel } from './use-channel.js';
export { useConnectionState } from './use-connection-state.js';
export { LiveFeed } from './live-feed/live-feed.js';
export { ConnectionStatus } from './connection-status/connection-status.js';
export { statusKind } from './connection-status/status-kind.js';

export type { RealtimeConfig, TransportQrl, HostQrl, HostInit, ConnectStrategy, JsonValue } from './config.js';
export type { RealtimeProviderProps } from './realtime-provider.js';
export type { UseSubscriptionOptions, SubscriptionSignals } from './use-subscription.js';
export type { UseChannelOptions, ChannelHandle, FeedSeed } from './use-channel.js';
export type { UseConnectionStateOptions } from './use-connection-state.js';
export type { LiveFeedProps, LiveFeedComponent } from './live-feed/live-feed.js';
export type { LiveFeedItemProps } from './live-feed/live-feed-text.js';
export type { ConnectionStatusProps } from './connection-status/connection-status.js';
export type { StatusKind, StatusLabels } from './connection-status/status-kind.js';
