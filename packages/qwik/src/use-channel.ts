import { $, implicit$FirstArg, type QRL, type Signal } from '@builder.io/qwik';
import type { ClientError, ConnectionState, PublishOptions, TopicState } from '@qwik-realtime/core';
import type { Envelope, Position, PublishAck } from '@qwik-realtime/core/protocol';
import type { ConnectStrategy, RealtimeConfig } from './config.js';
import { publishVia } from './publish.js';
import { useFeedQrl } from './use-feed.js';

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
  const [feed, optionsSig, config] = useFeedQrl(onMessage, options);
  const publish$ = $((data: T, publishOptions?: PublishOptions) =>
    publishVia(config, optionsSig.value.topics[0]!, data, publishOptions),
  );
  return { ...feed, publish$ };
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
