import { createCollector } from './collector.js';
import type { Collector } from './collector.js';

/** One parsed SSE event (`event` defaults to `message`). */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
  /** `JSON.parse(data)` when it parses. */
  json?: any;
}

/** A raw SSE stream read with `fetch`, for asserting exact events and headers. */
export interface SseStream {
  status: number;
  headers: Headers;
  events: Collector<SseEvent>;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  close(): void;
}

/**
 * Open `url` with `fetch` and parse its SSE events (no reconnection: use the `eventsource` package for
 * that). Non-200 answers resolve with `status` and no events.
 */
export async function openSse(url: string, init: { headers?: Record<string, string> } = {}): Promise<SseStream> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...init.headers }, signal: abort.signal });
  const events = createCollector<SseEvent>(`sse ${url}`);
  const ended = (async () => {
    if (!response.body || response.status !== 200) return;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let current: { event?: string; data: string[]; id?: string } = { data: [] };
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += value;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline).replace(/\r$/, '');
          buffer = buffer.slice(newline + 1);
          if (line === '') {
            if (current.data.length > 0) {
              const data = current.data.join('\n');
              const event: SseEvent = { event: current.event ?? 'message', data };
              if (current.id !== undefined) event.id = current.id;
              try {
                event.json = JSON.parse(data);
              } catch {
                // not JSON: keep data only
              }
              events.push(event);
            }
            current = { data: [] };
            continue;
          }
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'data') current.data.push(value);
          else if (field === 'event') current.event = value;
          else if (field === 'id') current.id = value;
        }
      }
    } catch {
      // aborted or cut by the server
    }
  })();
  return { status: response.status, headers: response.headers, events, ended, close: () => abort.abort() };
}
