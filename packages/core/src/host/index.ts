export { createConnectionHost } from './connection-host.js';
export { createTabClient } from './tab-client.js';
export { createWorkerClient } from './worker-client.js';
export { endpointClients } from './endpoint-client.js';
export { serveConnectionHost } from './serve.js';

export type { ConnectionHost, ConnectionHostOptions } from './connection-host.js';
export type { TabClientOptions, HostSubscribeOptions } from './tab-client.js';
export type { WorkerClientOptions, HostKind } from './worker-client.js';
export type { EndpointClientFactory } from './endpoint-client.js';
export type { HostEndpoint, HostItem, TabMessage, HostMessage, PortLike } from './messages.js';
