import type { TransportName } from '@qwik-realtime/core';
import type { TransportQrl } from '@qwik-realtime/qwik';
import { fetchSse } from '@qwik-realtime/qwik/transports/fetch-sse';
import { longPoll } from '@qwik-realtime/qwik/transports/long-poll';
import { sse } from '@qwik-realtime/qwik/transports/sse';
import { websocket } from '@qwik-realtime/qwik/transports/websocket';

/** Every transport by name: the stories switch between them with a control (an app imports only its own). */
export const TRANSPORTS: Record<TransportName, TransportQrl> = { websocket, sse, 'fetch-sse': fetchSse, 'long-poll': longPoll };

/** The transport values for `names`, in order. */
export function transportsOf(names: readonly TransportName[]): TransportQrl[] {
  return names.map((name) => TRANSPORTS[name]);
}
