import type { Envelope } from '@qwik-realtime/core/protocol';

/**
 * A message on its way to many connections. Each wire encoding is built once, on first use, and the same
 * bytes are written to every subscriber of that transport.
 */
export interface Outbound {
  readonly message: Envelope;
  /** JSON of the envelope. */
  json(): string;
  /** WebSocket text frame payload: `{"type":"message",...envelope}`. */
  wsFrame(): Buffer;
  /**
   * SSE `data:` line plus the blank line that dispatches the event. The `id:` line is written per connection
   * before it, because it carries the positions of all that connection's topics.
   */
  sseData(): Buffer;
}

/** Wrap a message for fan-out (see {@link Outbound}). */
export function createOutbound(message: Envelope): Outbound {
  let json: string | undefined;
  let ws: Buffer | undefined;
  let sse: Buffer | undefined;
  const outbound: Outbound = {
    message,
    json: () => (json ??= JSON.stringify(message)),
    wsFrame: () => (ws ??= Buffer.from(`{"type":"message",${outbound.json().slice(1)}`)),
    sseData: () => (sse ??= Buffer.from(`data: ${outbound.json()}\n\n`)),
  };
  return outbound;
}
