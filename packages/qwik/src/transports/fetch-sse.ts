import { $ } from '@builder.io/qwik';
import { fetchSseTransport } from '@qwik-realtime/core';
import type { TransportQrl } from '../config.js';

/**
 * The fetch + SSE parsing (sends headers, e.g. a bearer token) transport as a value for `RealtimeProvider`'s `transports`: importing it is what puts it in
 * the app's bundle.
 * @example
 * import { fetchSse } from '@qwik-realtime/qwik/transports/fetch-sse';
 * <RealtimeProvider url="/realtime" transports={[fetchSse]} />
 */
export const fetchSse: TransportQrl = /*#__PURE__*/ $(() => fetchSseTransport());
