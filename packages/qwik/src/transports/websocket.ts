import { $ } from '@builder.io/qwik';
import { webSocketTransport } from '@qwik-realtime/core';
import type { TransportQrl } from '../config.js';

/**
 * The WebSocket transport as a value for `RealtimeProvider`'s `transports`: importing it is what puts it in
 * the app's bundle.
 * @example
 * import { websocket } from '@qwik-realtime/qwik/transports/websocket';
 * <RealtimeProvider url="/realtime" transports={[websocket]} />
 */
export const websocket: TransportQrl = /*#__PURE__*/ $(() => webSocketTransport());
