import { implicit$FirstArg, useSignal, useVisibleTask$, type QRL, type Signal } from '@builder.io/qwik';
import type { ClientError, ConnectionState } from '@qwik-realtime/core';
import type { Envelope, Position, Positions } from '@qwik-realtime/core/protocol';
import type { ConnectStrategy, RealtimeConfig } from './config.js';
import { INITIAL_STATE, openLiveTopics } from './live-topics.js';
import { mirrorStatus } from './plain.js';
import { useRealtimeConfig } from './use-realtime-config.js';

/** Options of {@link useSubscription$}. Plain data: they are captured by a browser task. */
export interface UseSubscriptionOptions {
  /** The topic to follow (or use `topics`). */
  topic?: string;
  /** Several topics over the same shared connection. */
  topics?: string[];
  /** Resume after this position (one topic) or these positions (per topic), e.g. from `loadFeed`. */
  since?: Position | Positions | null;
  /** Replay the last N messages when there is no position to resume from. @default 0 */
  history?: number;
  /** When to connect. @default 'intersection-observer' (when the component's first element is visible) */
  strategy?: ConnectStrategy;
  /** Endpoint, instead of the nearest {@link RealtimeProvider}'s. */
  config?: RealtimeConfig;
}

/** What {@link useSubscription$} returns: plain-data signals, safe to render on the server. */
export interface SubscriptionSignals {
  /** The shared connection's state. */
  stateSig: Readonly<Signal<ConnectionState>>;
  /** The last error about these topics or the connection; `null` when there is none. */
  errorSig: Readonly<Signal<ClientError | null>>;
  /** Position of the newest message seen, per topic. */
  positionsSig: Readonly<Signal<Positions>>;
  /** False once the server said a gap could not be filled (`recovered: false`): reload your data. */
  recoveredSig: Readonly<Signal<boolean>>;
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
  options: UseSubscriptionOptions,
): SubscriptionSignals => {
  const config = useRealtimeConfig(options.config);
  const topics = topicsOf(options);
  const since = options.since ?? null;
  const history = options.history;
  const stateSig = useSignal<ConnectionState>(INITIAL_STATE);
  const errorSig = useSignal<ClientError | null>(null);
  const positionsSig = useSignal<Positions>({});
  const recoveredSig = useSignal(true);

  // A live connection is exactly what a visible task is for: it runs in the browser only, when needed.
  useVisibleTask$(
    function subscribeWhileVisible({ cleanup }) {
      let handler: ((message: Envelope<T>) => void) | undefined;
      let waiting: Envelope<T>[] = [];
      const deliver = (messages: Envelope<T>[]) => {
        if (!handler) return void waiting.push(...messages);
        for (const message of messages) handler(message);
      };
      void onMessage.resolve().then((fn) => {
        handler = fn;
        const early = waiting;
        waiting = [];
        deliver(early);
      });
      const close = openLiveTopics({
        config,
        topics,
        since,
        ...(history !== undefined ? { history } : {}),
        onBatch(messages) {
          const positions = { ...positionsSig.value };
          for (const message of messages) positions[message.topic] = { offset: message.offset, epoch: message.epoch };
          positionsSig.value = positions;
          deliver(messages as Envelope<T>[]);
        },
        ...mirrorStatus({ stateSig, errorSig, recoveredSig }),
      });
      cleanup(close);
    },
    { strategy: options.strategy ?? 'intersection-observer' },
  );

  return { stateSig, errorSig, positionsSig, recoveredSig };
};

/**
 * Follow one or more topics; `onMessage` runs in the browser for every message, in order, in batches
 * applied at most once per animation frame. Connects lazily (see `strategy`) over the page's shared
 * connection and releases it when the component goes away.
 * @example
 * const count = useSignal(0);
 * const { stateSig } = useSubscription$((message) => { count.value++; }, { topic: 'orders' });
 */
export const useSubscription$: <T = unknown>(
  onMessage: (message: Envelope<T>) => void,
  options: UseSubscriptionOptions,
) => SubscriptionSignals = /*#__PURE__*/ implicit$FirstArg(useSubscriptionQrl);
