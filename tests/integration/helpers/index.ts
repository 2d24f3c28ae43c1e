/**
 * Shared helpers for integration tests (server, client and broker suites):
 * - `startHubServer(options)`: a hub on 127.0.0.1:0 with `createNodeHandler` + `attachHub`;
 * - `openSse(url)`: raw SSE over fetch, parsed events in a waitable collector;
 * - `openWs(url)`: a `ws` client with parsed frames in a waitable collector;
 * - `createCollector()`: the waitable list behind both;
 * - `publishHttp(base, body)`: `POST /publish` with fetch.
 */
export { createCollector } from './collector.js';
export { startHubServer } from './hub-server.js';
export { openSse } from './sse.js';
export { openWs } from './ws.js';
export { publishHttp } from './publish.js';

export type { Collector } from './collector.js';
export type { TestHubServer } from './hub-server.js';
export type { SseEvent, SseStream } from './sse.js';
export type { WsClient } from './ws.js';
export { sseDriver, wsDriver, pollDriver, transportDrivers } from './drivers.js';
export type { TransportDriver, DriverConnection } from './drivers.js';
