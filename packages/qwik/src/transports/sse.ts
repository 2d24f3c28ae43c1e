import { $ } from '@builder.io/qwik';
import { eventSourceTransport } from '@qwik-realtime/core';
import type { TransportQrl } from '../config.js';

/**
 * The EventSource (SSE) transport as a value for `RealtimeProvider`'s `transports`: importing it is what puts it in
 * the app's bundle.
 * @example
 * import { sse } from '@qwik-realtime/qwik/transports/sse';
 * <RealtimeProvider url="/realtime" transports={[sse]} />
 */
export const sse: TransportQrl = /*#__PURE__*/ $(() => eventSourceTransport());
