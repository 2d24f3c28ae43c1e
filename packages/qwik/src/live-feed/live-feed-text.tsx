import { component$ } from '@builder.io/qwik';
import type { Envelope } from '@qwik-realtime/core/protocol';

/** Props every `LiveFeed` item component receives. */
export interface LiveFeedItemProps<T = unknown> {
  message: Envelope<T>;
}

/** The text shown for a message's data: strings as they are, anything else as JSON. */
export function dataText(data: unknown): string {
  if (typeof data === 'string') return data;
  return JSON.stringify(data) ?? String(data);
}

/** Default `LiveFeed` item: the data as a text node, so markup in it is shown, never interpreted. */
export const LiveFeedText = component$<LiveFeedItemProps>((props) => <span data-part="text">{dataText(props.message.data)}</span>);
