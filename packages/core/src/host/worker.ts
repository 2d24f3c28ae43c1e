/**
 * Entry of the library's connection host worker (`dist/host/worker.js`), a separate asset loaded only by
 * pages that use `createWorkerClient` without their own `spawn`. Tabs name the transports they want and
 * tabs with different chains share it, so it holds every core transport; it is never part of a page's
 * bundle. A smaller worker is an app entry calling `serveConnectionHost` with fewer transports.
 */
import { eventSourceTransport } from '../transports/event-source.js';
import { fetchSseTransport } from '../transports/fetch-sse.js';
import { longPollTransport } from '../transports/long-poll.js';
import { webSocketTransport } from '../transports/websocket.js';
import { serveConnectionHost } from './serve.js';

serveConnectionHost([webSocketTransport(), eventSourceTransport(), fetchSseTransport(), longPollTransport()]);
