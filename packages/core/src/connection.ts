import { clientError, tokenError } from './errors.js';
import { createWatchdog } from './heartbeat.js';
import type { Watchdog } from './heartbeat.js';
import { DEFAULT_HEARTBEAT_MS } from './protocol/frames.js';
import { timerMs } from './platform.js';
import { retryDelay } from './retry-delay.js';
import { createTransportChain } from './transport-chain.js';
import type { CloseReason, Transport, TransportSession } from './transport.js';
import type { ConnectionState } from './types.js';
import type { Connection, ConnectionOptions } from './connection-types.js';

export type { Connection, ConnectionOptions } from './connection-types.js';

/** Create the connection manager (used by `createClient`; exported for custom clients and tests). */
export function createConnection(options: ConnectionOptions): Connection {
  const { platform } = options;
  const listeners = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = { status: 'idle', transport: null, attempt: 0, nextRetryAt: null, error: null };
  const chain = createTransportChain(options.transports, platform, options.transportSkipMs);
  let session: TransportSession | undefined;
  let live: { on: boolean } | undefined;
  let isOpen = false;
  let stopped = false;
  let paused = false;
  let attached = false;
  let restartQueued = false;
  let retryTimer: unknown;
  let uptimeTimer: unknown;
  let watchdog: Watchdog | undefined;
  let retryBase: number | undefined;
  let connectTimer: unknown;
  let reconnectWithinMs: number | undefined;
  /** The server asked not to come back before this time (`retryAfterMs`): online/visible do not hurry it. */
  let holdUntil = 0;
  const debug = (event: string, detail?: unknown) => options.debug?.(event, detail);

  const set = (patch: Partial<ConnectionState>) => {
    state = { ...state, ...patch };
    for (const listener of [...listeners]) listener(state);
  };

  const endSession = () => {
    if (live) live.on = false;
    live = undefined;
    const current = session;
    session = undefined;
    isOpen = false;
    watchdog?.stop();
    watchdog = undefined;
    platform.clearTimeout(uptimeTimer);
    platform.clearTimeout(connectTimer);
    current?.close();
  };
  const clearRetry = () => {
    platform.clearTimeout(retryTimer);
    retryTimer = undefined;
  };

  const attempt = async (seamless = false) => {
    clearRetry();
    endSession();
    const transport = chain.pick();
    const token = { on: true };
    live = token;
    if (!seamless) set({ status: state.status === 'idle' || state.status === 'closed' ? 'connecting' : 'reconnecting', transport: transport.name, nextRetryAt: null });
    debug('attempt', { transport: transport.name, attempt: state.attempt });
    let hasOpened = false;
    let started = false;
    // One deadline for the whole attempt: a hanging getToken must not leave the client connecting forever
    // either (but that, unlike silence after the transport started, says nothing about the transport).
    connectTimer = platform.setTimeout(() => {
      if (!token.on || hasOpened) return;
      debug('connect_timeout', { transport: transport.name });
      endSession();
      const message = `@qwik-realtime/core: no answer from the server within ${options.connectTimeoutMs} ms`;
      if (!started) onClosed(transport, false, { ...tokenError('no token within the connect timeout'), transportFault: false });
      else onClosed(transport, false, { code: 'disconnected', retry: 'retry_backoff', message, transportFault: true });
    }, options.connectTimeoutMs);
    let credential: string | undefined;
    try {
      credential = (await options.getToken?.()) ?? undefined;
    } catch (error) {
      // Says nothing about the transport: never a reason to skip it.
      if (token.on) onClosed(transport, false, { ...tokenError(error), transportFault: false });
      return;
    }
    if (!token.on) return;
    started = true;
    const next = transport.connect(
      { url: options.url, topics: options.topics(), token: credential, headers: options.headers, platform, presence: options.pollPresence, answerTimeoutMs: options.connectTimeoutMs },
      {
        open(announced, connectionId) {
          if (!token.on) return;
          hasOpened = isOpen = true;
          chain.opened(transport);
          platform.clearTimeout(connectTimer);
          // A hello without a usable interval must not arm a NaN (about 1 ms) timer over and over.
          const heartbeatMs = Number.isFinite(announced) && announced > 0 ? announced : DEFAULT_HEARTBEAT_MS;
          watchdog = createWatchdog(platform, timerMs(heartbeatMs + options.heartbeatGraceMs, 0), () => {
            if (!token.on) return;
            debug('heartbeat_timeout');
            endSession();
            onClosed(transport, true, { code: 'heartbeat_timeout', retry: 'retry_now', message: '@qwik-realtime/core: no heartbeat' });
          });
          uptimeTimer = platform.setTimeout(() => set({ attempt: 0 }), options.minUptimeMs);
          set({ status: 'open', transport: transport.name, nextRetryAt: null, error: null });
          debug('open', { transport: transport.name, heartbeatMs });
          options.opened?.(connectionId);
        },
        presence(frame, tag) {
          if (!token.on) return;
          watchdog?.beat();
          options.presence?.(frame, tag);
        },
        subscribed(frame) {
          if (!token.on) return;
          watchdog?.beat();
          options.subscribed(frame);
        },
        messages(messages) {
          if (!token.on) return;
          watchdog?.beat();
          options.messages(messages);
        },
        error(body) {
          if (token.on) options.error(body);
        },
        alive() {
          if (token.on) watchdog?.beat();
        },
        retryHint(ms) {
          // An explicit `backoff.baseMs` wins over the server's generic `retry:` hint.
          if (options.backoff?.baseMs === undefined) retryBase = ms;
        },
        reconnectWithin(ms) {
          if (token.on && Number.isFinite(ms) && ms >= 0) reconnectWithinMs = ms;
        },
        closed(reason) {
          if (!token.on) return;
          endSession();
          onClosed(transport, hasOpened, reason);
        },
      },
    );
    if (!token.on) return next.close();
    session = next;
  };

  const onClosed = (transport: Transport, hadOpened: boolean, reason: CloseReason) => {
    debug('closed', reason);
    options.dropped();
    const error = clientError(reason.code ?? 'disconnected', reason.message);
    error.retry = reason.retry;
    if (reason.retry === 'no_retry' && reason.topic && options.rejectTopic(reason.topic, { ...error, topic: reason.topic })) {
      // The other topics are fine: reconnect with them at once (or stay idle if none is left).
      if (options.topics().length && !stopped) retryTimer = platform.setTimeout(() => void attempt(), 0);
      return;
    }
    if (reason.retry === 'no_retry') {
      stopped = true;
      detach();
      set({ status: 'closed', nextRetryAt: null, error });
      return;
    }
    const fallback = !hadOpened && chain.failed(transport, reason);
    const announced = reason.reconnectWithinMs ?? reconnectWithinMs;
    reconnectWithinMs = undefined;
    const delay = fallback && !reason.retryAfterMs
      ? 0
      : retryDelay({
          reason,
          attempt: state.attempt,
          random: platform.random,
          backoff: { ...options.backoff, ...(retryBase ? { baseMs: retryBase } : {}) },
          retryNowWindowMs: options.retryNowWindowMs,
          reconnectWithinMs: announced,
        });
    holdUntil = reason.retryAfterMs ? platform.now() + reason.retryAfterMs : 0;
    set({ status: 'reconnecting', attempt: fallback ? state.attempt : state.attempt + 1, nextRetryAt: platform.now() + delay, error });
    if (paused) return;
    debug('retry', { delay });
    retryTimer = platform.setTimeout(() => void attempt(), delay);
  };

  const wake = () => {
    if (stopped || state.status === 'idle') return;
    if (paused) {
      paused = false;
      void attempt();
    } else if (retryTimer !== undefined) {
      if (platform.now() >= holdUntil) void attempt();
    } else watchdog?.check();
  };
  const onVisibility = () => {
    const hidden = platform.visibility()?.visibilityState === 'hidden';
    if (!hidden) return wake();
    if (options.pauseWhenHidden && !stopped && state.status !== 'idle') {
      paused = true;
      clearRetry();
      endSession();
      set({ status: 'reconnecting', nextRetryAt: null });
    }
  };
  const attach = () => {
    if (attached) return;
    attached = true;
    platform.network()?.addEventListener('online', wake);
    platform.visibility()?.addEventListener('visibilitychange', onVisibility);
  };
  const detach = () => {
    if (!attached) return;
    attached = false;
    platform.network()?.removeEventListener('online', wake);
    platform.visibility()?.removeEventListener('visibilitychange', onVisibility);
  };

  const restart = () => {
    if (restartQueued) return;
    restartQueued = true;
    queueMicrotask(() => {
      restartQueued = false;
      if (session) void attempt(isOpen);
    });
  };

  return {
    state: () => state,
    onState(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ensure() {
      if (stopped || live || retryTimer !== undefined || paused) return;
      attach();
      if (options.pauseWhenHidden && platform.visibility()?.visibilityState === 'hidden') {
        paused = true;
        set({ status: 'reconnecting', nextRetryAt: null });
        return;
      }
      void attempt();
    },
    connect() {
      stopped = false;
      paused = false;
      chain.reset();
      set({ attempt: 0, error: null, ...(state.status === 'closed' ? { status: 'idle' as const } : {}) });
      if (options.topics().length && !isOpen) {
        attach();
        void attempt();
      }
    },
    idle() {
      clearRetry();
      endSession();
      detach();
      paused = false;
      if (!stopped) set({ status: 'idle', attempt: 0, nextRetryAt: null, error: null });
    },
    close() {
      stopped = true;
      clearRetry();
      endSession();
      detach();
      set({ status: 'closed', nextRetryAt: null });
    },
    subscribe(request) {
      if (session && !session.subscribe(request)) restart();
    },
    unsubscribe(topic) {
      session?.unsubscribe(topic);
    },
    session: () => (isOpen ? session : undefined),
  };
}
