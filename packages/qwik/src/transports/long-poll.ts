import { $ } from '@builder.io/qwik';
import { longPollTransport } from '@qwik-realtime/core';
import type { TransportQrl } from '../config.js';

/**
 * The HTTP long-polling transport as a value for `RealtimeProvider`'s `transports`: importing it is what puts it in
 * the app's bundle.
 * @example
 * import { longPoll } from '@qwik-realtime/qwik/transports/long-poll';
 * <RealtimeProvider url="/realtime" transports={[longPoll]} />
 */
export const longPoll: TransportQrl = /*#__PURE__*/ $(() => longPollTransport());
