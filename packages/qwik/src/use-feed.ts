import { noSerialize, untrack, useSignal, useVisibleTask$, type NoSerialize, type QRL, type Signal } from '@builder.io/qwik';
import type { ClientError, ConnectionState, TopicState } from '@qwik-realtime/core';
import type { Envelope } from '@qwik-realtime/core/protocol';
import { acquireClient } from './client-registry.js';
import type { RealtimeConfig } from './config.js';
import { lastPosition, mergeFeed } from './feed-merge.js';
import { topicSpecOf, useLiveOptions, type LiveOptions } from './live-options.js';
import { followTopics, INITIAL_STATE, subscribingState, type LiveTopics } from './live-topics.js';
import { mirrorStatus, plainTopicState } from './plain.js';
import type { ChannelHandle, UseChannelOptions } from './use-channel.js';
import { useRealtimeConfig } from './use-realtime-config.js';

/** A {@link ChannelHandle} without `publish$`. */
export type FeedHandle<T = unknown> = Omit<ChannelHandle<T>, 'publish$'>;

/**
 * The channel without `publish$`: what `LiveFeed` and `ConnectionStatus` use, so a page that only shows
 * messages does not bundle publishing. Returns the handle, the followed options and the endpoint's config.
 */
export function useFeedQrl<T>(
  onMessage: QRL<(message: Envelope<T>) => void> | undefined,
  options: UseChannelOptions<T>,
): [FeedHandle<T>, Readonly<Signal<LiveOptions>>, RealtimeConfig] {
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
        cap: onMessage ? undefined : limit,
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

  return [{ messagesSig, stateSig, topicStateSig, errorSig, recoveredSig, conflatedSig }, optionsSig, config];
}
