import type { FeedSeed } from '../use-channel.js';
import type { HubLike } from './hub-like.js';

/** Options of {@link loadFeed}. */
export interface LoadFeedOptions {
  /** How many of the newest messages to return (the same `history` as the hooks'). @default 20 */
  history?: number;
}

/**
 * Read the newest messages of a topic and the position right after them, for server rendering. Hand the
 * result to `LiveFeed`'s `seed` (or `useChannel$`'s): the page shows them at once and the browser continues
 * live from exactly that position — no gap, no duplicate, no flash of empty.
 * @example
 * // src/routes/index.tsx
 * export const useNews = routeLoader$(() => loadFeed(hub, 'news', { history: 20 }));
 */
export async function loadFeed<T = unknown>(hub: HubLike, topic: string, options: LoadFeedOptions = {}): Promise<FeedSeed<T>> {
  const last = Math.max(0, Math.floor(options.history ?? 20));
  const answer = await hub.options.broker.history(topic, { last });
  const messages = answer.messages.map((message) => ({ ...message })) as FeedSeed<T>['messages'];
  const newest = messages[messages.length - 1];
  const position = newest ? { offset: newest.offset, epoch: newest.epoch } : { offset: answer.head.offset, epoch: answer.head.epoch };
  return { messages, position };
}
