import type { ErrorCode } from '@qwik-realtime/core/protocol';

/**
 * Why the hub rejected a publish:
 * - `invalid`: bad topic, id, body or data (`invalid_topic`, `bad_request`);
 * - `oversize`: `data` over `maxMessageBytes`, or a body/frame over the frame limit (`message_too_large`);
 * - `unauthorized`: `unauthorized`, `forbidden` or `token_expired`;
 * - `rate_limited`: a connection, topic or address bucket was empty;
 * - `broker_unavailable`: the broker's publish failed;
 * - `unavailable`: the hub could not take it (`server_shutdown`, `internal`, `try_again_later`).
 */
export type DeadLetterReason = 'invalid' | 'oversize' | 'unauthorized' | 'rate_limited' | 'broker_unavailable' | 'unavailable';

/** Every {@link DeadLetterReason}, in a stable order. */
export const DEAD_LETTER_REASONS: readonly DeadLetterReason[] = ['invalid', 'oversize', 'unauthorized', 'rate_limited', 'broker_unavailable', 'unavailable'];

/** The reason of a rejected publish from its error code. */
export function deadLetterReasonOf(code: ErrorCode): DeadLetterReason {
  switch (code) {
    case 'bad_request':
    case 'invalid_topic':
    case 'unknown_frame':
      return 'invalid';
    case 'message_too_large':
      return 'oversize';
    case 'unauthorized':
    case 'forbidden':
    case 'token_expired':
      return 'unauthorized';
    case 'rate_limited':
      return 'rate_limited';
    case 'broker_unavailable':
      return 'broker_unavailable';
    default:
      return 'unavailable';
  }
}
