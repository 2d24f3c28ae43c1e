import { encodeCursor } from '@qwik-realtime/core/protocol';
import type { Positions } from '@qwik-realtime/core/protocol';

/** The one topic of `positions`, or undefined when there are none or several. */
export function soleTopicOf(positions: Positions): string | undefined {
  let sole: string | undefined;
  for (const topic in positions) {
    if (sole !== undefined) return undefined;
    sole = topic;
  }
  return sole;
}

/** {@link encodeCursor}, with a fast path for the usual case of one epoch across all topics. */
export function fastCursor(positions: Positions): string {
  let epoch: string | undefined;
  let body = '';
  for (const topic in positions) {
    const position = positions[topic] as Positions[string];
    if (epoch === undefined) epoch = position.epoch;
    else if (position.epoch !== epoch) return encodeCursor(positions);
    body += body === '' ? `${topic}=${position.offset}` : `,${topic}=${position.offset}`;
  }
  return `${epoch ?? ''};${body}`;
}
