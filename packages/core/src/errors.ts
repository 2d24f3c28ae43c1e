import { errorCodeOfStatus, retryPolicyOf } from './protocol/codes.js';
import type { ErrorBody, ErrorCode } from './protocol/codes.js';
import type { ClientError } from './types.js';

/** A {@link ClientError} as plain data. */
export function clientError(code: ErrorCode, message: string, topic?: string): ClientError {
  const error: ClientError = { code, message, retry: retryPolicyOf(code) };
  if (topic !== undefined) error.topic = topic;
  return error;
}

/** A {@link ClientError} from a wire error body (unknown codes become `internal`). */
export function clientErrorOfBody(body: Partial<ErrorBody> | undefined, status?: number): ClientError {
  const code = body?.code ?? (status ? errorCodeOfStatus(status) : 'internal');
  return clientError(code, body?.message ?? `@qwik-realtime/core: HTTP ${status ?? 'error'}`, body?.topic);
}

/** The error a rejected publish carries: an `Error` with the {@link ClientError} fields. */
export type PublishError = Error & ClientError;

/** Turn a {@link ClientError} into a throwable {@link PublishError}. */
export function toPublishError(error: ClientError): PublishError {
  return Object.assign(new Error(error.message), error);
}

/**
 * The error of a throwing `getToken`, the same for the connection and for publish: `unauthorized`, retried
 * with backoff (the token source may recover; a server that refuses the token answers `no_retry` itself).
 */
export function tokenError(cause: unknown): ClientError {
  return { code: 'unauthorized', message: `@qwik-realtime/core: getToken failed: ${String(cause)}`, retry: 'retry_backoff' };
}
