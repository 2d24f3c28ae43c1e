import { implicit$FirstArg, noSerialize, useSignal, useVisibleTask$, type NoSerialize, type QRL, type Signal } from '@builder.io/qwik';
import type { ClientError, ConnectionState, TopicState } from '@qwik-realtime/core';
import type { Envelope, Position, Positions } from '@qwik-realtime/core/protocol';
import { acquireClient } from './client-registry.js';
import type { ConnectStrategy, RealtimeConfig } from './config.js';
import { topicSpecOf, useLiveOptions } from './live-options.js';
import { followTopics, INITIAL_STATE, type LiveTopics } from './live-topics.js';
import { mirrorStatus, plainTopicState } from './plain.js';
import { useRealtimeConfig } from './use-realtime-config.js';

/**
 * Options of {@link useSubscription$}. `topic`/`topics`, `since`, `history` and `enabled` are followed:
 * render with new values and the subscriptions move over the same connection, without remounting.
 */
export interface UseSubscriptionOptions<T = unknown> {
  /** The topic to follow (or use `topics`). */
  topic?: string;
  /** Several topics over the same shared connection. */
  topics?: string[];
  /** Resume after this position (one topic) or these positions (per topic), e.g. from `loadFeed`. */
  since?: Position | Positions | null;
  /** Replay the last N messages when there is no position to resume from. @default 0 */
  history?: number;
  /** `false` pauses: the topics are unsubscribed until it is `true` again. @default true */
  enabled?: boolean;
  /** Check or convert each message's data in the browser; throwing drops the message (reported in `errorSig`). */
  validate$?: QRL<(data: unknown) => T>;
  /** When to connect. @default 'intersection-observer' (when the component's first element is visible) */
  strategy?: ConnectStrategy;
  /** Endpoint, instead of the nearest {@link RealtimeProvider}'s. */
  config?: RealtimeConfig;
}

/** What {@link useSubscription$} returns: plain-data signals, safe to render on the server. */
export interface SubscriptionSignals {
  /** The shared connection's state. */
  stateSig: Readonly<Signal<ConnectionState>>;
  /** Each followed topic's subscription (`subscribing`, `live`, `resubscribing`, `failed` with its error). */
  topicStatesSig: Readonly<Signal<Record<string, TopicState>>>;
  /** The last error about these topics or the connection; `null` when there is none. */
  errorSig: Readonly<Signal<ClientError | null>>;
  /** Position of the newest message seen, per topic. */
  positionsSig: Readonly<Signal<Positions>>;
  /** False once the server said a gap could not be filled (`recovered: false`): reload your data. */
  recoveredSig: Readonly<Signal<boolean>>;
  /**
   * Messages the server dropped for this slow connection on conflated topics (the hub's `conflate` option:
   * only the latest value matters), in total; 0 when none were.
   */
  conflatedSig: Readonly<Signal<number>>;
}

/** The topics named by `topic` / `topics`, validated. */
export function topicsOf(options: { topic?: string; topics?: string[] }): string[] {
  const topics = [...(options.topic !== undefined ? [options.topic] : []), ...(options.topics ?? [])];
  if (topics.length === 0) throw new Error('@qwik-realtime/qwik: give `topic` or `topics`');
  return topics;
}

/**
 * {@link useSubscription$} with an explicit QRL (what the optimizer turns `useSubscription$(fn)` into).
 */
export const useSubscriptionQrl = <T = unknown>(
  onMessage: QRL<(message: Envelope<T>) => void>,
  options: UseSubscriptionOptions<T>,
): SubscriptionSignals => {
  const config = useRealtimeConfig(options.config);
  const validate$ = options.validate$;
  const optionsSig = useLiveOptions({
    topics: topicsOf(options),
    since: options.since ?? null,
    ...(options.history !== undefined ? { history: options.history } : {}),
    enabled: options.enabled !== false,
  });
  const stateSig = useSignal<ConnectionState>(INITIAL_STATE);
  const topicStatesSig = useSignal<Record<string, TopicState>>({});
  const errorSig = useSignal<ClientError | null>(null);
  const positionsSig = useSignal<Positions>({});
  const recoveredSig = useSignal(true);
  const conflatedSig = useSignal(0);
  const liveSig = useSignal<NoSerialize<LiveTopics>>();

  // A live connection is exactly what a visible task is for: it runs in the browser only, when needed.
  useVisibleTask$(
    async function subscribeWhileVisible({ cleanup }) {
      let closed = false;
      let live: LiveTopics | undefined;
      cleanup(() => {
        closed = true;
        live?.close();
      });
      const [lease, handler, validate] = await Promise.all([acquireClient(config), onMessage.resolve(), validate$?.resolve()]);
      if (closed) return lease.release();
      live = followTopics(lease, topicSpecOf(optionsSig.value, validate as ((data: unknown) => unknown) | undefined), {
        onBatch(messages) {
          const positions = { ...positionsSig.value };
          for (const message of messages) positions[message.topic] = { offset: message.offset, epoch: message.epoch };
          positionsSig.value = positions;
          for (const message of messages as Envelope<T>[]) handler(message);
        },
        onTopicState(state) {
          topicStatesSig.value = { ...topicStatesSig.value, [state.topic]: plainTopicState(state) };
        },
        ...mirrorStatus({ stateSig, errorSig, recoveredSig, conflatedSig }),
      });
      liveSig.value = noSerialize(live);
    },
    { strategy: options.strategy ?? 'intersection-observer' },
  );

  // Follows option changes after the first task connected (it tracks both the options and the connection).
  useVisibleTask$(
    async function moveSubscriptionsWithOptions({ track }) {
      const next = track(() => optionsSig.value);
      const live = track(() => liveSig.value);
      if (!live) return;
      const validate = await validate$?.resolve();
      live.update(topicSpecOf(next, validate as ((data: unknown) => unknown) | undefined));
      const kept = next.enabled ? next.topics : [];
      const states = Object.fromEntries(Object.entries(topicStatesSig.value).filter(([topic]) => kept.includes(topic)));
      const positions = Object.fromEntries(Object.entries(positionsSig.value).filter(([topic]) => kept.includes(topic)));
      topicStatesSig.value = states;
      positionsSig.value = positions;
    },
    { strategy: options.strategy ?? 'intersection-observer' },
  );

  return { stateSig, topicStatesSig, errorSig, positionsSig, recoveredSig, conflatedSig };
};

/**
 * Follow one or more topics; `onMessage` runs in the browser for every message, in order, in batches
 * applied at most once per animation frame. Connects lazily (see `strategy`) over the page's shared
 * connection, moves when `topic` changes, and releases it when the component goes away.
 * @example
 * const count = useSignal(0);
 * const { stateSig } = useSubscription$((message) => { count.value++; }, { topic: 'orders' });
 */
export const useSubscription$: <T = unknown>(
  onMessage: (message: Envelope<T>) => void,
  options: UseSubscriptionOptions<T>,
) => SubscriptionSignals = /*#__PURE__*/ implicit$FirstArg(useSubscriptionQrl);
