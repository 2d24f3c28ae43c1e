/**
 * Platform seams of the client. Everything the client needs from its host is looked up here, at call
 * time, so that Node, tests (fake timers) and unusual runtimes work without globals, and importing or
 * constructing a client never touches `window` or `document` (SSR safe).
 */

/** Fix parameter variance so `ws`, `eventsource` and DOM classes all fit these minimal shapes. */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of a WebSocket the client uses (DOM `WebSocket` and the `ws` package both fit). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
}

/** A WebSocket constructor. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** The part of an EventSource the client uses (DOM `EventSource` and the `eventsource` package both fit). */
export interface EventSourceLike {
  readonly readyState: number;
  close(): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: string }> | null;
  onerror: Handler<{ code?: number; message?: string }> | null;
  addEventListener(type: string, listener: Handler<{ data: string }>): void;
}

/** An EventSource constructor. */
export type EventSourceConstructor = new (url: string, init?: { withCredentials?: boolean }) => EventSourceLike;

/** The `fetch` the HTTP transports and publish use. */
export type FetchLike = typeof fetch;

/** Something that emits events, e.g. `window` (`online`/`offline`) or `document` (`visibilitychange`). */
export interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** A `document`-like source of page visibility. */
export interface VisibilitySource extends EventTargetLike {
  readonly visibilityState: string;
}

/** Injectable platform. Every field defaults to the global of the same name, looked up when used. */
export interface Platform {
  WebSocket?: WebSocketConstructor;
  EventSource?: EventSourceConstructor;
  fetch?: FetchLike;
  /** Emits `online`/`offline`. @default globalThis.window, when it exists */
  network?: EventTargetLike | null;
  /** Emits `visibilitychange` and has `visibilityState`. @default globalThis.document, when it exists */
  visibility?: VisibilitySource | null;
  /** Wall clock in ms. @default Date.now */
  now?: () => number;
  /** Timer functions; called at call time so fake timers can replace them. @default globalThis.setTimeout */
  setTimeout?: (callback: () => void, ms: number) => unknown;
  /** @default globalThis.clearTimeout */
  clearTimeout?: (handle: unknown) => void;
  /** Randomness in [0, 1) for backoff jitter and ids. @default Math.random */
  random?: () => number;
}

type Globals = {
  WebSocket?: WebSocketConstructor;
  EventSource?: EventSourceConstructor;
  fetch?: FetchLike;
  window?: EventTargetLike;
  document?: VisibilitySource;
};

const globals = () => globalThis as unknown as Globals;

/** The platform with every seam resolved (globals looked up at call time, never captured). */
export interface ResolvedPlatform {
  WebSocket(): WebSocketConstructor | undefined;
  EventSource(): EventSourceConstructor | undefined;
  fetch(): FetchLike | undefined;
  network(): EventTargetLike | null | undefined;
  visibility(): VisibilitySource | null | undefined;
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  random(): number;
}

/** Resolve a partial {@link Platform} against the globals. Touches no global until a getter is called. */
export function resolvePlatform(platform: Platform = {}): ResolvedPlatform {
  return {
    WebSocket: () => platform.WebSocket ?? globals().WebSocket,
    EventSource: () => platform.EventSource ?? globals().EventSource,
    fetch: () => platform.fetch ?? globals().fetch,
    network: () => ('network' in platform ? platform.network : globals().window),
    visibility: () => ('visibility' in platform ? platform.visibility : globals().document),
    now: () => (platform.now ?? Date.now)(),
    setTimeout: (callback, ms) => (platform.setTimeout ?? globalThis.setTimeout)(callback, ms),
    clearTimeout: (handle) => (platform.clearTimeout ?? globalThis.clearTimeout)(handle as number),
    random: () => (platform.random ?? Math.random)(),
  };
}

/** A random id (idempotency keys, request refs). */
export function randomId(platform: ResolvedPlatform): string {
  let id = '';
  for (let i = 0; i < 4; i++) id += Math.floor(platform.random() * 2 ** 32).toString(36);
  return id;
}

/**
 * A duration option as a timer can hold it: absent, negative or NaN is `fallback`; past 2^31 - 1 ms (`Infinity`
 * meaning "never") the longest a timer holds. A longer delay fires after 1 ms: `connectTimeoutMs: Infinity`
 * timed every attempt out at once, a reconnect loop.
 */
export const timerMs = (value: number | undefined, fallback: number): number => (value! >= 0 ? Math.min(value!, 2 ** 31 - 1) : fallback);
