export { createHub } from './hub.js';
export { createNodeHandler, attachHub } from './node.js';
export { createFetchHandler } from './fetch.js';
export { createMemoryBroker } from './brokers/memory.js';
export { RealtimeError, toRealtimeError } from './errors.js';
export { parseCookies } from './auth.js';
export { startDemoFeed } from './demo.js';

export type { Hub, HubStats, HubCloseOptions, RateLimitedCounts } from './hub.js';
export type { DeadLetterReason } from './dead-letter.js';
export type { HubOptions, ResolvedHubOptions, HubAction, TransportName } from './options.js';
export type { Principal, AuthContext, RequestInfo } from './auth.js';
export type { SessionHandle } from './session.js';
export type { PublishOptions } from './publish.js';
export type { NodeHandler, UpgradeEmitter, UpgradeListener, AttachHubOptions } from './node.js';
export type { FetchHandlerOptions } from './fetch.js';
export type { DemoFeedOptions } from './demo.js';
export type { MemoryBroker, MemoryBrokerOptions, MemoryBrokerStats } from './brokers/memory.js';
export type { Broker, BrokerPublish, BrokerPublishResult, BrokerUnsubscribe, HistoryQuery, HistoryResult, BrokerPresence, PresenceJoinOptions } from './broker.js';
