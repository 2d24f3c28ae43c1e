import { untrack, useSignal, type Signal } from '@builder.io/qwik';
import type { Position, Positions } from '@qwik-realtime/core/protocol';
import type { TopicSpec } from './live-topics.js';

/** The options of a hook that are followed after mount. Plain data. */
export interface LiveOptions {
  topics: string[];
  since: Position | Positions | null;
  history?: number;
  enabled: boolean;
}

/** What a hook subscribes to for `options`: nothing while disabled. */
export function topicSpecOf(options: LiveOptions, validate?: (data: unknown) => unknown): TopicSpec {
  return {
    topics: options.enabled ? options.topics : [],
    since: options.since,
    history: options.history,
    validate,
  };
}

/**
 * A signal of the hook's live options, updated whenever the component renders with different ones. Hooks
 * get their options as plain values on every render; a browser task tracks this signal to move the
 * subscriptions without remounting.
 */
export function useLiveOptions(options: LiveOptions): Signal<LiveOptions> {
  const optionsSig = useSignal(options);
  if (JSON.stringify(optionsSig.value) !== JSON.stringify(options)) {
    // Not a state change of this render's output: the signal only tells the browser task what to follow,
    // so it is written outside the render's invocation context.
    untrack(() => {
      optionsSig.value = options;
    });
  }
  return optionsSig;
}
