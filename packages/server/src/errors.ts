import { HTTP_STATUS } from '@qwik-realtime/core/protocol';
import type { ErrorBody, ErrorCode } from '@qwik-realtime/core/protocol';

/** An error with a protocol {@link ErrorCode}; the hub turns it into the matching HTTP status or close code. */
export class RealtimeError extends Error {
  override readonly name = 'RealtimeError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly topic?: string,
    /** Milliseconds the client should wait before retrying, when the server knows (`rate_limited`). */
    readonly retryAfterMs?: number,
  ) {
    super(`@qwik-realtime/server: ${message}`);
  }

  /** HTTP status for this error. */
  get status(): number {
    return HTTP_STATUS[this.code];
  }

  /** The error as sent on the wire. */
  toBody(extra?: Partial<ErrorBody>): ErrorBody {
    const body: ErrorBody = { code: this.code, message: this.message };
    if (this.topic !== undefined) body.topic = this.topic;
    if (this.retryAfterMs !== undefined) body.retryAfterMs = this.retryAfterMs;
    return { ...body, ...extra };
  }
}

/** Wrap anything thrown into a RealtimeError (unknown errors become `internal`). */
export function toRealtimeError(error: unknown): RealtimeError {
  if (error instanceof RealtimeError) return error;
  return new RealtimeError('internal', error instanceof Error ? error.message : String(error));
}
