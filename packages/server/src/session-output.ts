import type { AckFrame, ErrorBody, HelloFrame, PresenceFrame, SubscribedFrame, UnsubscribedFrame } from '@qwik-realtime/core/protocol';
import type { RealtimeError } from './errors.js';
import type { Outbound } from './outbound.js';

/** Where a session writes; one implementation per transport (SSE, WebSocket). */
export interface SessionOutput {
  hello(frame: HelloFrame): void;
  subscribed(frame: SubscribedFrame): void;
  unsubscribed(frame: UnsubscribedFrame): void;
  /** `sole`: the connection's only position is this message's topic (its cursor is the message's position). */
  message(outbound: Outbound, sole: boolean): void;
  ack(frame: AckFrame): void;
  /** Presence member lists and changes (docs/protocol.md, Presence). */
  presence(frame: PresenceFrame): void;
  error(body: ErrorBody): void;
  ping(): void;
  pong(): void;
  /** Bytes written but not yet flushed to the network. */
  bufferedBytes(): number;
  /**
   * -1 while the kernel has taken every byte written; otherwise a count that grows whenever the network was
   * seen taking bytes (see socket-progress.ts). Absent when the output cannot tell; drives `slowConsumerMs`.
   */
  progress?(): number;
  /**
   * End the connection, telling the client why when `error` is given; `slow_consumer` drops buffered bytes.
   * `reconnectWithinMs` (a drain) is announced first with a `reconnect` frame / event.
   */
  close(error: RealtimeError | undefined, reconnectWithinMs?: number): void;
}
