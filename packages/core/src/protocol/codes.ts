/**
 * Error codes carried by `error` frames/events, HTTP error bodies and (via {@link CLOSE_CODES}) WebSocket
 * close frames. String unions so they serialize as-is.
 */
export type ErrorCode =
  /** Malformed frame, body or query; do not retry the same request. */
  | 'bad_request'
  /** Frame type the server does not know. */
  | 'unknown_frame'
  /** Topic name does not match the topic syntax. */
  | 'invalid_topic'
  /** Payload over the message size limit. */
  | 'message_too_large'
  /** More topics than the per-connection limit. */
  | 'too_many_topics'
  /** No or invalid credentials. */
  | 'unauthorized'
  /** Credentials valid but not for this topic/action. */
  | 'forbidden'
  /** Credentials expired: get a fresh token and reconnect at once. */
  | 'token_expired'
  /** Too many frames/publishes per second from this connection. */
  | 'rate_limited'
  /** The client did not read fast enough; its buffer passed the limit. */
  | 'slow_consumer'
  /** The server is shutting down or restarting. */
  | 'server_shutdown'
  /** The connection was closed on purpose by the server (e.g. an operator action). */
  | 'disconnected'
  /** The broker behind the hub is unavailable; retry later. */
  | 'broker_unavailable'
  /** No heartbeat arrived in time (client side). */
  | 'heartbeat_timeout'
  /** Unexpected server error. */
  | 'internal'
  /** The server is at its cap of concurrent handshakes/replays: retry after `retryAfterMs`. */
  | 'try_again_later'
  /** The topic's presence is at its member limit (`maxPresencePerTopic`); join again later. */
  | 'presence_full';

/** How a client must react to an error or close. */
export type RetryPolicy = 'retry_now' | 'retry_backoff' | 'no_retry';

/**
 * WebSocket close codes per error code. Ranges carry the retry policy so a client that does not know a
 * code still reacts correctly: 3000-3199 retry now, 3200-3499 retry with backoff, 3500-3999 do not retry.
 */
export const CLOSE_CODES = {
  token_expired: 3000,
  server_shutdown: 3001,
  disconnected: 3002,
  heartbeat_timeout: 3003,
  slow_consumer: 3200,
  rate_limited: 3201,
  broker_unavailable: 3202,
  internal: 3203,
  try_again_later: 3204,
  presence_full: 3205,
  bad_request: 3500,
  unknown_frame: 3501,
  invalid_topic: 3502,
  message_too_large: 3503,
  too_many_topics: 3504,
  unauthorized: 3505,
  forbidden: 3506,
} as const satisfies Record<ErrorCode, number>;

/** HTTP status per error code, for SSE, long-poll and publish responses. */
export const HTTP_STATUS = {
  bad_request: 400,
  unknown_frame: 400,
  invalid_topic: 400,
  message_too_large: 413,
  too_many_topics: 400,
  unauthorized: 401,
  forbidden: 403,
  token_expired: 401,
  rate_limited: 429,
  slow_consumer: 503,
  server_shutdown: 503,
  disconnected: 503,
  broker_unavailable: 503,
  heartbeat_timeout: 504,
  internal: 500,
  try_again_later: 503,
  presence_full: 409,
} as const satisfies Record<ErrorCode, number>;

/** Retry policy of a WebSocket close code (unknown codes: 1000-2999 backoff, 4000+ no retry). */
export function retryPolicyOfCloseCode(code: number): RetryPolicy {
  if (code >= 3000 && code < 3200) return 'retry_now';
  if (code >= 3500) return 'no_retry';
  return 'retry_backoff';
}

/** Retry policy of an error code. `token_expired` retries at once (with a fresh token). */
export function retryPolicyOf(code: ErrorCode): RetryPolicy {
  return retryPolicyOfCloseCode(CLOSE_CODES[code]);
}

/** Error code of a WebSocket close code, if it is one of ours. */
export function errorCodeOfCloseCode(code: number): ErrorCode | undefined {
  for (const [name, value] of Object.entries(CLOSE_CODES)) if (value === code) return name as ErrorCode;
  return undefined;
}

/** Error code of an HTTP status (used by HTTP transports that got no JSON body). */
export function errorCodeOfStatus(status: number): ErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 413) return 'message_too_large';
  if (status === 429) return 'rate_limited';
  if (status >= 400 && status < 500) return 'bad_request';
  if (status === 503) return 'server_shutdown';
  return 'internal';
}

/** Body of an HTTP error response and payload of `error` frames/events. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** Topic the error is about, when it concerns one subscription only. */
  topic?: string;
  /** Request reference (`ref`) of the WebSocket frame the error answers. */
  ref?: string;
  /** Milliseconds to wait before retrying, when the server knows. */
  retryAfterMs?: number;
}
