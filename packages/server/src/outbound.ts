import type { Envelope } from '@qwik-realtime/core/protocol';
import { wsTextFrame } from './ws-frame.js';

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
  /** The whole unmasked WebSocket text frame (header and {@link Outbound.wsFrame} payload). */
  wsFramed(): Buffer;
  /** SSE `data:` line plus the blank line that dispatches the event. */
  sseData(): Buffer;
  /**
   * The whole SSE event: `id: <cursor>` then {@link Outbound.sseData}. The cursor is per connection (all its
   * topics' positions), but connections on the same topics share it: the last one built is reused.
   */
  sseEvent(cursor: string): Buffer;
  /**
   * {@link Outbound.sseEvent} for a connection whose only position is this message's topic: its cursor is
   * the message's own position, so one buffer serves every such connection.
   */
  sseSoleEvent(): Buffer;
}

/** Wrap a message for fan-out (see {@link Outbound}). */
export function createOutbound(message: Envelope): Outbound {
  let json: string | undefined;
  let ws: Buffer | undefined;
  let wsFramed: Buffer | undefined;
  let sse: Buffer | undefined;
  let eventCursor: string | undefined;
  let event: Buffer | undefined;
  let soleEvent: Buffer | undefined;
  const outbound: Outbound = {
    message,
    json: () => (json ??= JSON.stringify(message)),
    wsFrame: () => (ws ??= Buffer.from(`{"type":"message",${outbound.json().slice(1)}`)),
    wsFramed: () => (wsFramed ??= wsTextFrame([outbound.wsFrame()])),
    sseData: () => (sse ??= Buffer.from(`data: ${outbound.json()}\n\n`)),
    sseEvent(cursor) {
      if (cursor !== eventCursor || event === undefined) {
        eventCursor = cursor;
        event = Buffer.from(`id: ${cursor}\ndata: ${outbound.json()}\n\n`);
      }
      return event;
    },
    // The cursor format of session.ts `fastCursor` for one position.
    sseSoleEvent: () => (soleEvent ??= Buffer.from(`id: ${message.epoch};${message.topic}=${message.offset}\ndata: ${outbound.json()}\n\n`)),
  };
  return outbound;
}
