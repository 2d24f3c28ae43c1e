/**
 * Topic <-> NATS subject mapping. A topic (`A-Z a-z 0-9 _ - : / .`) becomes exactly one subject token, so
 * `prices.BTC` can never be confused with a wildcard level and the mapping stays reversible: `_` is the
 * escape character (`_u` = `_`, `_d` = `.`, `_c` = `:`, `_s` = `/`).
 */
const ESCAPES: Record<string, string> = { _: '_u', '.': '_d', ':': '_c', '/': '_s' };
const UNESCAPES: Record<string, string> = { u: '_', d: '.', c: ':', s: '/' };

/** The subject token of `topic`. */
export function topicToToken(topic: string): string {
  return topic.replace(/[_.:/]/g, (char) => ESCAPES[char] as string);
}

/** The topic of a subject token made by {@link topicToToken}; throws on anything else. */
export function tokenToTopic(token: string): string {
  return token.replace(/_(.?)/g, (_, code: string) => {
    const char = UNESCAPES[code];
    if (char === undefined) throw new Error(`@qwik-realtime/server: not a topic token: ${token}`);
    return char;
  });
}

const PREFIX_SYNTAX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** Checks a subject prefix: one or more `[A-Za-z0-9_-]` tokens separated by dots. */
export function assertSubjectPrefix(prefix: string): string {
  if (!PREFIX_SYNTAX.test(prefix)) {
    throw new Error(`@qwik-realtime/server: nats broker: prefix must be dot-separated [A-Za-z0-9_-] tokens, got "${prefix}"`);
  }
  return prefix;
}

/** Default stream name for a subject prefix (stream names may not contain dots). */
export function streamNameOf(prefix: string): string {
  return `QR_${prefix.replace(/\./g, '_')}`;
}
