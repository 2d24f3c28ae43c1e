import { errorCodeOfStatus, retryPolicyOf } from '../protocol/codes.js';
import type { ErrorBody } from '../protocol/codes.js';
import type { CloseReason } from '../transport.js';
import { reconnectWindow, serverMs } from './url.js';

/**
 * The {@link CloseReason} of an error body and/or HTTP status. Without either (a network loss, a stream
 * that just ended) it is `disconnected`, retried with backoff.
 */
export function closeReason(body?: Partial<ErrorBody>, status?: number, retryAfter?: string | null): CloseReason {
  if (status === 204) return { code: 'bad_request', retry: 'no_retry', message: '@qwik-realtime/core: HTTP 204, nothing to stream' };
  const code = body?.code ?? (status ? errorCodeOfStatus(status) : undefined);
  const reason: CloseReason = {
    code: code ?? 'disconnected',
    retry: code ? retryPolicyOf(code) : 'retry_backoff',
    message: body?.message ?? `@qwik-realtime/core: ${status ? `HTTP ${status}` : 'connection lost'}`,
  };
  const hint = serverMs(body?.retryAfterMs ?? Number(retryAfter) * 1000);
  if (hint) reason.retryAfterMs = hint;
  if (body?.topic) reason.topic = body.topic;
  const within = reconnectWindow(body);
  if (within !== undefined) reason.reconnectWithinMs = within;
  return reason;
}
