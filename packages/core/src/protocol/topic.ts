/** Maximum length of a topic name. */
export const MAX_TOPIC_LENGTH = 128;

const TOPIC_SYNTAX = /^[A-Za-z0-9_\-:/.]+$/;

/**
 * Whether `topic` is a valid topic name: 1-128 characters from `A-Z a-z 0-9 _ - : / .`.
 * These never need escaping in URLs, SSE ids, Redis keys or NATS subjects (after mapping `/` and `:`).
 */
export function isValidTopic(topic: unknown): topic is string {
  return typeof topic === 'string' && topic.length > 0 && topic.length <= MAX_TOPIC_LENGTH && TOPIC_SYNTAX.test(topic);
}
