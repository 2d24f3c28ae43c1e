import { clientError, toPublishError } from '../errors.js';
import { isValidTopic } from '../protocol/index.js';
import type { Envelope, Position, PublishAck } from '../protocol/index.js';
import type { ClientError, ConnectionState, RealtimeClient, SubscribeOptions, Subscription, TopicState } from '../types.js';
import type { HostEndpoint, HostItem, HostMessage, PortLike, TabMessage } from './messages.js';

/** Subscribe options a host-backed client understands besides the core ones. */
export interface HostSubscribeOptions<T = unknown> extends SubscribeOptions<T> {
  /**
   * Only the newest N messages matter (a feed showing N): the host keeps at most N per batch for this
   * subscription, so a burst costs the tab one small message. `onMessage`/`onBatch` then see a suffix.
   */
  last?: number;
  /** Called with how many messages the `last` window dropped before a batch. */
  onSkipped?: (count: number) => void;
}

/** Options of {@link createTabClient}. */
export interface TabClientOptions {
  /** A port to a connection host (`SharedWorker.port`, a dedicated `Worker`, or a `MessageChannel` end). */
  port: PortLike;
  endpoint: HostEndpoint;
  /** This tab's token source; the host asks a live tab before each connection attempt. */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /**
   * Runs a batch's delivery; the host sends the next batch only after it ran.
   * @default requestAnimationFrame while the page is visible, else a 100 ms timer
   */
  scheduleFrame?: (deliver: () => void) => void;
  /** Where `pagehide`/`pageshow` come from. @default globalThis.window, when it exists */
  window?: Pick<Window, 'addEventListener' | 'removeEventListener'> | null;
}

interface TabSubscription {
  topic: string;
  options: HostSubscribeOptions<unknown>;
  position: Position | undefined;
  state: TopicState;
  active: boolean;
}

const defaultSchedule = (deliver: () => void) => {
  const doc = (globalThis as { document?: Document }).document;
  if (typeof requestAnimationFrame === 'function' && doc?.visibilityState !== 'hidden') requestAnimationFrame(() => deliver());
  else setTimeout(deliver, 100);
};

/**
 * A {@link RealtimeClient} whose connection lives in a connection host (see `createConnectionHost`): the
 * same interface as the core client, so hooks and components do not change. Batches from the host are
 * delivered once per animation frame; `pagehide` releases this tab's subscriptions at once, and the host's
 * pings (answered here) catch tabs that die without it.
 */
export function createTabClient(options: TabClientOptions): RealtimeClient {
  const { port, endpoint } = options;
  const schedule = options.scheduleFrame ?? defaultSchedule;
  const win = options.window === undefined ? (globalThis as { window?: Window }).window : options.window;
  const subs = new Map<number, TabSubscription>();
  const publishes = new Map<number, { resolve: (ack: PublishAck) => void; reject: (error: unknown) => void }>();
  const listeners = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = { status: 'idle', transport: null, attempt: 0, nextRetryAt: null, error: null };
  let nextId = 0;
  let closed = false;
  let away = false;

  const send = (message: TabMessage) => {
    if (!closed) port.postMessage(message);
  };

  const safely = (call: () => void) => {
    try {
      call();
    } catch (error) {
      setTimeout(() => {
        throw error;
      }, 0);
    }
  };

  const deliverMessages = (sub: TabSubscription, batch: Envelope[], skipped: number) => {
    const { validate, onBatch, onMessage, onError, onSkipped } = sub.options;
    const last = batch[batch.length - 1];
    if (last) sub.position = { offset: last.offset, epoch: last.epoch };
    if (skipped) safely(() => onSkipped?.(skipped));
    let out = batch;
    if (validate) {
      out = [];
      for (const message of batch) {
        try {
          out.push({ ...message, data: validate(message.data) });
        } catch (error) {
          safely(() => onError?.(clientError('bad_request', `@qwik-realtime/core: validation failed: ${String(error)}`, sub.topic)));
        }
      }
    }
    if (!out.length) return;
    if (onBatch) safely(() => onBatch(out));
    if (onMessage) for (const message of out) safely(() => sub.active && onMessage(message));
  };

  const deliver = (items: HostItem[]) => {
    for (const item of items) {
      const sub = subs.get(item.sub);
      if (!sub?.active) continue;
      if (item.kind === 'messages') deliverMessages(sub, item.messages, item.skipped);
      else if (item.kind === 'subscribed') {
        if (item.event.replayed === 0 || !item.event.recovered) sub.position = item.event.position;
        safely(() => sub.options.onSubscribed?.(item.event));
      } else if (item.kind === 'error') safely(() => sub.options.onError?.(item.error));
      else if (item.kind === 'conflated') safely(() => sub.options.onConflated?.(item.event));
      else {
        sub.state = item.state;
        safely(() => sub.options.onTopicState?.(item.state));
      }
    }
  };

  const onMessage = (event: { data: unknown }) => {
    const message = event.data as HostMessage;
    switch (message.type) {
      case 'ping':
        return send({ type: 'pong' });
      case 'released':
        // Busy or frozen for longer than the host waits: come back, resuming from the positions seen.
        return rejoin();
      case 'state':
        state = message.state;
        for (const listener of [...listeners]) safely(() => listener(state));
        return;
      case 'batch':
        schedule(() => {
          deliver(message.items);
          send({ type: 'ready' });
        });
        return;
      case 'ack':
      case 'nack': {
        const waiter = publishes.get(message.ref);
        publishes.delete(message.ref);
        if (message.type === 'ack') waiter?.resolve(message.ack);
        else waiter?.reject(toPublishError(message.error));
        return;
      }
      case 'get-token':
        void Promise.resolve()
          .then(() => options.getToken?.())
          .then(
            (token) => send({ type: 'token', ref: message.ref, token: token ?? null }),
            (error: unknown) => send({ type: 'token', ref: message.ref, token: null, error: String(error) }),
          );
        return;
    }
  };

  const subscribeMessage = (id: number, sub: TabSubscription): TabMessage => ({
    type: 'subscribe',
    sub: id,
    topic: sub.topic,
    ...(sub.position ? { since: sub.position } : {}),
    ...(sub.options.history !== undefined && !sub.position ? { history: sub.options.history } : {}),
    ...(sub.options.last !== undefined ? { last: sub.options.last } : {}),
  });

  // MessagePort has no close event: say goodbye on pagehide, and come back (resuming from the positions
  // seen) when the page is restored from the back/forward cache.
  const onPageHide = () => {
    away = true;
    send({ type: 'bye' });
  };
  const rejoin = () => {
    send({ type: 'hello', endpoint: { ...endpoint, tokens: Boolean(options.getToken) } });
    for (const [id, sub] of subs) send(subscribeMessage(id, sub));
  };
  const onPageShow = () => {
    if (!away) return;
    away = false;
    rejoin();
  };
  win?.addEventListener('pagehide', onPageHide);
  win?.addEventListener('pageshow', onPageShow);
  port.addEventListener('message', onMessage);
  port.start?.();
  send({ type: 'hello', endpoint: { ...endpoint, tokens: Boolean(options.getToken) } });

  return {
    subscribe<T>(topic: string, subscribeOptions: SubscribeOptions<T>): Subscription {
      if (!isValidTopic(topic)) {
        const error: ClientError = clientError('invalid_topic', `@qwik-realtime/core: invalid topic ${JSON.stringify(topic)}`, topic);
        const failed: TopicState = { topic, status: 'failed', error, recovered: true, nextRetryAt: null };
        queueMicrotask(() => {
          subscribeOptions.onError?.(error);
          subscribeOptions.onTopicState?.(failed);
        });
        return { topic, position: () => undefined, state: () => failed, unsubscribe: () => undefined };
      }
      const id = ++nextId;
      const sub: TabSubscription = {
        topic,
        options: subscribeOptions as HostSubscribeOptions<unknown>,
        position: subscribeOptions.since,
        state: { topic, status: 'subscribing', error: null, recovered: true, nextRetryAt: null },
        active: true,
      };
      subs.set(id, sub);
      send(subscribeMessage(id, sub));
      return {
        topic,
        position: () => sub.position,
        state: () => sub.state,
        unsubscribe() {
          if (!sub.active) return;
          sub.active = false;
          subs.delete(id);
          send({ type: 'unsubscribe', sub: id });
        },
      };
    },
    publish<T>(topic: string, data: T, publishOptions?: { id?: string }): Promise<PublishAck> {
      if (closed) return Promise.reject(toPublishError(clientError('disconnected', '@qwik-realtime/core: client closed', topic)));
      const ref = ++nextId;
      return new Promise((resolve, reject) => {
        publishes.set(ref, { resolve, reject });
        send({ type: 'publish', ref, topic, data, ...(publishOptions?.id !== undefined ? { id: publishOptions.id } : {}) });
      });
    },
    getState: () => state,
    onState(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    connect: () => send({ type: 'connect' }),
    close() {
      if (closed) return;
      send({ type: 'close' });
      closed = true;
      for (const sub of subs.values()) sub.active = false;
      subs.clear();
      for (const waiter of publishes.values()) waiter.reject(toPublishError(clientError('disconnected', '@qwik-realtime/core: client closed')));
      publishes.clear();
      win?.removeEventListener('pagehide', onPageHide);
      win?.removeEventListener('pageshow', onPageShow);
      port.removeEventListener('message', onMessage);
      port.close();
    },
  };
}
