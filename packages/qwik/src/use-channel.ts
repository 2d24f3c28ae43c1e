import { $, implicit$FirstArg, noSerialize, untrack, useSignal, useVisibleTask$, type NoSerialize, type QRL, type Signal } from '@builder.io/qwik';
import type { ClientError, ConnectionState, PublishOptions, TopicState } from '@qwik-realtime/core';
import type { Envelope, Position, PublishAck } from '@qwik-realtime/core/protocol';
import { acquireClient } from './client-registry.js';
import type { ConnectStrategy, RealtimeConfig } from './config.js';
import { lastPosition, mergeFeed } from './feed-merge.js';
import { topicSpecOf, useLiveOptions } from './live-options.js';
import { followTopics, INITIAL_STATE, subscribingState, type LiveTopics } from './live-topics.js';
import { mirrorStatus, plainTopicState } from './plain.js';
import { publishVia } from './publish.js';
import { useRealtimeConfig } from './use-realtime-config.js';

/** Messages rendered on the server and the position to continue from, as returned by `loadFeed`. */
export interface FeedSeed<T = unknown> {
  /** Oldest first. */
  messages: Envelope<T>[];
  /** Position of the newest seeded message (or the topic's head when there were none). */
  position: Position | null;
}

/**
 * Options of {@link useChannel$}. `topic`, `since`, `history` and `enabled` are followed: render with new
 * values and the channel moves over the same connection, without remounting.
 */
export interface UseChannelOptions<T = unknown> {
  /** The topic. */
  topic: string;
  /** Messages kept in `messagesSig` (the newest win). @default 50 */
  limit?: number;
  /** Server-rendered messages of the first `topic`; live ones continue from `seed.position`, with no gap. */
  seed?: FeedSeed<T> | null;
  /** Resume after this position when there is no seed. */
  since?: Position | null;
  /** Replay the last N messages when there is neither seed nor `since`. @default 0 */
  history?: number;
  /** `false` pauses: the topic is unsubscribed until it is `true` again. @default true */
  enabled?: boolean;
  /** Check or convert each message's data in the browser; throwing drops the message (reported in `errorSig`). */
  validate$?: QRL<(data: unknown) => T>;
  /** When to connect. @default 'intersection-observer' */
  strategy?: ConnectStrategy;
  /** Endpoint, instead of the nearest provider's. */
  config?: RealtimeConfig;
}

/** A topic handle: bounded messages, state, and `publish$`. Signals hold plain data only. */
export interface ChannelHandle<T = unknown> {
  /** The newest messages of the current topic, oldest first, at most `limit`. */
  messagesSig: Readonly<Signal<Envelope<T>[]>>;
  /** The shared connection's state. */
  stateSig: Readonly<Signal<ConnectionState>>;
  /** The topic's subscription: `subscribing`, `live`, `resubscribing` or `failed` (with its error). */
  topicStateSig: Readonly<Signal<TopicState>>;
  /** The last error about the topic or the connection; `null` when there is none. */
  errorSig: Readonly<Signal<ClientError | null>>;
  /** False once the server said a gap could not be filled (`recovered: false`). */
  recoveredSig: Readonly<Signal<boolean>>;
  /** Messages the server dropped for this slow connection on a `conflate` topic since mount; 0 when none. */
  conflatedSig: Readonly<Signal<number>>;
  /** Publish on the current topic from the browser; resolves with the hub's acknowledgement. */
  publish$: QRL<(data: T, options?: PublishOptions) => Promise<PublishAck>>;
}

/** {@link useChannel$} with an explicit QRL, or `undefined` for no per-message callback. */
export const useChannelQrl = <T = unknown>(
  onMessage: QRL<(message: Envelope<T>) => void> | undefined,
  options: UseChannelOptions<T>,
): ChannelHandle<T> => {
  const config = useRealtimeConfig(options.config);
  const limit = Math.max(1, options.limit ?? 50);
  const seed = options.seed ?? null;
  const validate$ = options.validate$;
  // The seed belongs to the topic of the first render; a later topic starts from `since`/`history`.
  const seedTopicSig = useSignal(options.topic);
  const seeded = seed !== null && options.topic === seedTopicSig.value;
  const since = seeded ? seed.position : (options.since ?? null);
  const optionsSig = useLiveOptions({
    topics: [options.topic],
    since,
    ...(seeded || since || options.history === undefined ? {} : { history: options.history }),
    enabled: options.enabled !== false,
  });
  const messagesSig = useSignal<Envelope<T>[]>(seed ? seed.messages.slice(-limit) : []);
  const stateSig = useSignal<ConnectionState>(INITIAL_STATE);
  const topicStateSig = useSignal<TopicState>(subscribingState(options.topic));
  const errorSig = useSignal<ClientError | null>(null);
  const recoveredSig = useSignal(true);
  const conflatedSig = useSignal(0);
  const liveSig = useSignal<NoSerialize<LiveTopics>>();
  if (topicStateSig.value.topic !== options.topic) {
    // Never show another topic's items or state, not even for the frame before the browser task moves.
    untrack(() => {
      messagesSig.value = [];
      topicStateSig.value = subscribingState(options.topic);
      errorSig.value = null;
    });
  }

  // A live connection is exactly what a visible task is for: it runs in the browser only, when needed.
  useVisibleTask$(
    async function followChannelWhileVisible({ cleanup }) {
      let closed = false;
      let live: LiveTopics | undefined;
      cleanup(() => {
        closed = true;
        live?.close();
      });
      const [lease, handler, validate] = await Promise.all([acquireClient(config), onMessage?.resolve(), validate$?.resolve()]);
      if (closed) return lease.release();
      let topic = optionsSig.value.topics[0];
      let after = lastPosition(messagesSig.value, since);
      live = followTopics(lease, topicSpecOf(optionsSig.value, validate as ((data: unknown) => unknown) | undefined), {
        cap: onMessage ? Infinity : limit,
        onBatch(batch) {
          const incoming = batch as Envelope<T>[];
          if (incoming[0]!.topic !== topic) {
            topic = incoming[0]!.topic;
            after = null;
          }
          const shown = messagesSig.value.filter((message) => message.topic === topic);
          const next = mergeFeed(shown, incoming, limit, after);
          after = lastPosition(next, after);
          messagesSig.value = next;
          if (handler) for (const message of incoming) handler(message);
        },
        onTopicState(state) {
          topicStateSig.value = plainTopicState(state);
        },
        ...mirrorStatus({ stateSig, errorSig, recoveredSig, conflatedSig }),
      });
      liveSig.value = noSerialize(live);
    },
    { strategy: options.strategy ?? 'intersection-observer' },
  );

  // Follows option changes after the first task connected (it tracks both the options and the connection).
  useVisibleTask$(
    async function moveChannelWithOptions({ track }) {
      const next = track(() => optionsSig.value);
      const live = track(() => liveSig.value);
      if (!live) return;
      const validate = await validate$?.resolve();
      live.update(topicSpecOf(next, validate as ((data: unknown) => unknown) | undefined));
    },
    { strategy: options.strategy ?? 'intersection-observer' },
  );

  const publish$ = $((data: T, publishOptions?: PublishOptions) =>
    publishVia(config, optionsSig.value.topics[0]!, data, publishOptions),
  );
  return { messagesSig, stateSig, topicStateSig, errorSig, recoveredSig, conflatedSig, publish$ };
};

/**
 * A topic handle — the Qwik counterpart of Ably's `useChannel`: the newest `limit` messages as a signal
 * (updated at most once per animation frame), the connection and topic state, and `publish$`. `onMessage`
 * also runs per message, in the browser. Render with another `topic` and it moves, on the same connection.
 * @example
 * const chat = useChannel$((message) => console.log(message.data), { topic: 'chat/room-1', limit: 100 });
 * <button onClick$={() => chat.publish$({ text: 'hi' })}>Send</button>
 */
export const useChannel$: <T = unknown>(
  onMessage: (message: Envelope<T>) => void,
  options: UseChannelOptions<T>,
) => ChannelHandle<T> = /*#__PURE__*/ implicit$FirstArg(useChannelQrl);

/**
 * {@link useChannel$} without a per-message callback: render `messagesSig`.
 * @example
 * const { messagesSig, publish$ } = useChannel<{ text: string }>({ topic: 'chat/room-1' });
 */
export function useChannel<T = unknown>(options: UseChannelOptions<T>): ChannelHandle<T> {
  return useChannelQrl<T>(undefined, options);
}
