import { $, implicit$FirstArg, useSignal, useVisibleTask$, type QRL, type Signal } from '@builder.io/qwik';
import type { ClientError, ConnectionState, PublishOptions } from '@qwik-realtime/core';
import type { Envelope, Position, PublishAck } from '@qwik-realtime/core/protocol';
import type { ConnectStrategy, RealtimeConfig } from './config.js';
import { lastPosition, mergeFeed } from './feed-merge.js';
import { INITIAL_STATE, openLiveTopics } from './live-topics.js';
import { mirrorStatus } from './plain.js';
import { publishVia } from './publish.js';
import { useRealtimeConfig } from './use-realtime-config.js';

/** Messages rendered on the server and the position to continue from, as returned by `loadFeed`. */
export interface FeedSeed<T = unknown> {
  /** Oldest first. */
  messages: Envelope<T>[];
  /** Position of the newest seeded message (or the topic's head when there were none). */
  position: Position | null;
}

/** Options of {@link useChannel$}. Plain data: they are captured by a browser task. */
export interface UseChannelOptions<T = unknown> {
  /** The topic. */
  topic: string;
  /** Messages kept in `messagesSig` (the newest win). @default 50 */
  limit?: number;
  /** Server-rendered messages; live ones continue from `seed.position`, with no gap and no duplicate. */
  seed?: FeedSeed<T> | null;
  /** Resume after this position when there is no seed. */
  since?: Position | null;
  /** Replay the last N messages when there is neither seed nor `since`. @default 0 */
  history?: number;
  /** When to connect. @default 'intersection-observer' */
  strategy?: ConnectStrategy;
  /** Endpoint, instead of the nearest provider's. */
  config?: RealtimeConfig;
}

/** A topic handle: bounded messages, state, and `publish$`. Signals hold plain data only. */
export interface ChannelHandle<T = unknown> {
  /** The newest messages, oldest first, at most `limit`. */
  messagesSig: Readonly<Signal<Envelope<T>[]>>;
  stateSig: Readonly<Signal<ConnectionState>>;
  errorSig: Readonly<Signal<ClientError | null>>;
  /** False once the server said a gap could not be filled (`recovered: false`). */
  recoveredSig: Readonly<Signal<boolean>>;
  /** Publish on the topic from the browser; resolves with the hub's acknowledgement. */
  publish$: QRL<(data: T, options?: PublishOptions) => Promise<PublishAck>>;
}

/** Default number of messages a channel or feed keeps. */
export const DEFAULT_LIMIT = 50;

/** {@link useChannel$} with an explicit QRL, or `undefined` for no per-message callback. */
export const useChannelQrl = <T = unknown>(
  onMessage: QRL<(message: Envelope<T>) => void> | undefined,
  options: UseChannelOptions<T>,
): ChannelHandle<T> => {
  const config = useRealtimeConfig(options.config);
  const topic = options.topic;
  const limit = Math.max(1, options.limit ?? DEFAULT_LIMIT);
  const seed = options.seed ?? null;
  const since = seed ? seed.position : (options.since ?? null);
  const history = seed || since ? undefined : options.history;
  const messagesSig = useSignal<Envelope<T>[]>(seed ? seed.messages.slice(-limit) : []);
  const stateSig = useSignal<ConnectionState>(INITIAL_STATE);
  const errorSig = useSignal<ClientError | null>(null);
  const recoveredSig = useSignal(true);

  // A live connection is exactly what a visible task is for: it runs in the browser only, when needed.
  useVisibleTask$(
    function followChannelWhileVisible({ cleanup }) {
      let handler: ((message: Envelope<T>) => void) | undefined;
      let waiting: Envelope<T>[] = [];
      if (onMessage) {
        void onMessage.resolve().then((fn) => {
          handler = fn;
          for (const message of waiting) fn(message);
          waiting = [];
        });
      }
      let after = lastPosition(messagesSig.value, since);
      const close = openLiveTopics({
        config,
        topics: [topic],
        since,
        ...(history ? { history } : {}),
        cap: onMessage ? Infinity : limit,
        onBatch(batch) {
          const incoming = batch as Envelope<T>[];
          const next = mergeFeed(messagesSig.value, incoming, limit, after);
          after = lastPosition(next, after);
          messagesSig.value = next;
          if (!onMessage) return;
          if (handler) for (const message of incoming) handler(message);
          else waiting.push(...incoming);
        },
        ...mirrorStatus({ stateSig, errorSig, recoveredSig }),
      });
      cleanup(close);
    },
    { strategy: options.strategy ?? 'intersection-observer' },
  );

  const publish$ = $((data: T, publishOptions?: PublishOptions) => publishVia(config, topic, data, publishOptions));
  return { messagesSig, stateSig, errorSig, recoveredSig, publish$ };
};

/**
 * A topic handle — the Qwik counterpart of Ably's `useChannel`: the newest `limit` messages as a signal
 * (updated at most once per animation frame), the connection state, and `publish$`. `onMessage` also
 * runs per message, in the browser.
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
