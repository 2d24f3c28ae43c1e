import type { ErrorBody } from '../protocol/codes.js';
import type { Envelope } from '../protocol/envelope.js';
import type { HelloFrame, SubscribedFrame } from '../protocol/frames.js';
import type { TransportEvents } from '../transport.js';
import { parseJson, reconnectWindow, serverMs } from './url.js';

/** Turns SSE events (name + data) into transport events; shared by both SSE transports. */
export interface SseDispatcher {
  dispatch(name: string | undefined, data: string): void;
  /** Hand the messages collected since the last flush to the connection as one batch. */
  flush(): void;
  /** Whether `hello` arrived. */
  readonly opened: boolean;
  /** The last connection-level `event: error` (sent just before the server ends the stream). */
  readonly lastError: ErrorBody | undefined;
}

/** Create an {@link SseDispatcher} over `events`. */
export function createSseDispatcher(events: TransportEvents): SseDispatcher {
  let batch: Envelope[] = [];
  let opened = false;
  let lastError: ErrorBody | undefined;
  const flush = () => {
    if (!batch.length) return;
    const out = batch;
    batch = [];
    events.messages(out);
  };
  return {
    dispatch(name, data) {
      if (!name || name === 'message') {
        const message = parseJson<Envelope>(data);
        if (message) batch.push(message);
        return;
      }
      flush();
      // Only the first hello opens the session: another would arm a second watchdog that no beat reaches.
      if (name === 'hello') {
        if (opened) return;
        opened = true;
        const hello = parseJson<HelloFrame>(data);
        events.open(serverMs(hello?.heartbeatMs) ?? 15_000, hello?.connectionId);
      } else if (name === 'subscribed') {
        const frame = parseJson<SubscribedFrame>(data);
        if (frame) events.subscribed(frame);
      } else if (name === 'presence') events.presence?.(parseJson(data));
      else if (name === 'error') {
        const body = parseJson<ErrorBody>(data);
        if (body?.topic) events.error({ ...body, retryAfterMs: serverMs(body.retryAfterMs) });
        else lastError = body;
      } else if (name === 'reconnect') {
        const within = reconnectWindow(parseJson(data));
        if (within !== undefined) events.reconnectWithin?.(within);
        events.alive();
      } else events.alive();
    },
    flush,
    get opened() {
      return opened;
    },
    get lastError() {
      return lastError;
    },
  };
}
