import type { TransportQrl } from '../config.js';
import { longPoll } from './long-poll.js';
import { sse } from './sse.js';
import { websocket } from './websocket.js';

/**
 * The core's default chain — WebSocket, then SSE, then long-polling — for apps that want every fallback.
 * Name fewer transports and only those are bundled.
 * @example
 * import { defaultTransports } from '@qwik-realtime/qwik/transports/default';
 * <RealtimeProvider url="/realtime" transports={defaultTransports} />
 */
export const defaultTransports: TransportQrl[] = [websocket, sse, longPoll];
