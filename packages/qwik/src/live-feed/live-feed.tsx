import { component$, Slot, type Component, type JSXOutput, type PublicProps, type QRL } from '@builder.io/qwik';
import type { Envelope, Position } from '@qwik-realtime/core/protocol';
import type { ConnectStrategy, RealtimeConfig } from '../config.js';
import { topicKind } from '../connection-status/status-kind.js';
import type { FeedSeed } from '../use-channel.js';
import { useFeedQrl } from '../use-feed.js';
import { LiveFeedText, type LiveFeedItemProps } from './live-feed-text.js';

/** Props of {@link LiveFeed}. `topic`, `since`, `history` and `enabled` may change after mount. */
export interface LiveFeedProps<T = unknown> {
  /** The topic to show; another value moves the feed (same connection, no stale items). */
  topic: string;
  /** Items shown at most; older ones leave the list. @default 50 */
  limit?: number;
  /** Server-rendered messages and their position, e.g. from `loadFeed` in a `routeLoader$`. */
  seed?: FeedSeed<T> | null;
  /** Resume after this position when there is no seed. */
  since?: Position | null;
  /** Replay the last N messages when there is neither seed nor `since`. @default 0 */
  history?: number;
  /** `false` pauses the feed (unsubscribed, items kept). @default true */
  enabled?: boolean;
  /** Check or convert each message's data in the browser; throwing drops the message. */
  validate$?: QRL<(data: unknown) => T>;
  /** Component rendering one message. @default the message's data as text */
  item?: Component<LiveFeedItemProps<T>>;
  /** @default 'newest-first' */
  order?: 'newest-first' | 'oldest-first';
  /** When to connect. @default 'intersection-observer' (when the list scrolls into view) */
  strategy?: ConnectStrategy;
  /** Endpoint, instead of the nearest provider's. */
  config?: RealtimeConfig;
  class?: string;
  /** Accessible name of the list. */
  'aria-label'?: string;
}

const LiveFeedImpl = component$<LiveFeedProps>((props) => {
  // The props are the channel's options (the extra ones are ignored); read through the props store, so changes are followed.
  const [{ messagesSig, stateSig, topicStateSig, recoveredSig, conflatedSig }] = useFeedQrl(undefined, props);
  const Item = props.item ?? LiveFeedText;
  const messages = props.order === 'oldest-first' ? messagesSig.value : [...messagesSig.value].reverse();
  const topicState = topicStateSig.value;
  const failed = topicState.status === 'failed';
  return (
    <ul
      class={props.class}
      aria-label={props['aria-label']}
      data-topic={props.topic}
      data-state={props.enabled === false ? 'idle' : topicKind(stateSig.value, topicState)}
      data-topic-state={topicState.status}
      data-recovered={recoveredSig.value ? 'true' : 'false'}
      data-count={messages.length}
      data-conflated={conflatedSig.value}
    >
      {failed && (
        <li data-part="error" role="alert">
          <span data-part="error-message">{topicState.error?.message ?? 'refused'}</span>
          <Slot name="error" />
        </li>
      )}
      {messages.map((message) => (
        <li key={message.id} data-id={message.id} data-offset={message.offset}>
          <Item message={message} />
        </li>
      ))}
    </ul>
  );
});

/** {@link LiveFeed}'s type: a Qwik component, generic in the message data. */
export type LiveFeedComponent = <T = unknown>(
  props: PublicProps<LiveFeedProps<T>>,
  key: string | null,
  flags: number,
) => JSXOutput;

/**
 * A bounded, keyed list of a topic's newest messages. Renders its seed on the server, connects when it
 * scrolls into view (no JavaScript before that), continues from the seed's position with no gap and no
 * duplicate, and applies bursts at most once per animation frame. Data is always rendered as text.
 * `data-state` carries the kind (`connecting`, `live`, `reconnecting`, `error`, ...) for this topic:
 * a refused topic is `error`, with its message in a `role="alert"` item (add your own with `q:slot="error"`).
 * `data-conflated` counts the messages the server dropped for this slow connection on a `conflate` topic.
 * Under a worker host the feed asks for its `limit` only, so a burst costs the tab at most `limit` per frame.
 * @example
 * export const useNews = routeLoader$(() => loadFeed(hub, 'news', { history: 20 }));
 * // in the page:
 * const news = useNews();
 * <LiveFeed topic="news" limit={20} seed={news.value} item={NewsItem} />
 */
export const LiveFeed = LiveFeedImpl as unknown as LiveFeedComponent;
