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

/** Where a rejected publish came from: a WebSocket `publish` frame, `POST /publish`, or `hub.publish`. */
export type DeadLetterSource = 'ws' | 'http' | 'server';

/** A publish the hub rejected, as given to `onDeadLetter` and published on `deadLetterTopic`. */
export interface DeadLetter {
  reason: DeadLetterReason;
  /** The error code the publisher got. */
  code: ErrorCode;
  /** The error message the publisher got. */
  message: string;
  /** The publish's topic, when it was a string (cut to 200 characters). */
  topic?: string;
  /** The publish's `data`, when it was parsed and not oversize. */
  data?: unknown;
  /** The first bytes of an oversize publish (its `data` JSON, or the raw frame/body when it was not parsed). */
  preview?: string;
  /** The publisher's idempotency id, when it gave a string. */
  id?: string;
  /** The principal's `id`, when it has a string or number one. */
  principalId?: string | number;
  transport: DeadLetterSource;
  /** When the hub rejected it, ms since the epoch (the hub's clock). */
  at: number;
}

/** Longest `preview` of an oversize publish, characters. */
export const DEAD_LETTER_PREVIEW_CHARS = 1024;

/** What a rejected publish is known to carry. */
export interface RejectedPublish {
  transport: DeadLetterSource;
  topic?: unknown;
  data?: unknown;
  id?: unknown;
  /** Raw text of a publish that was not parsed (oversize frame or body). */
  raw?: string;
  principal?: unknown;
}

/** Records rejected publishes: counts them, calls the hook, publishes them on the dead-letter topic. */
export interface DeadLetterSink {
  record(publish: RejectedPublish, error: { code: ErrorCode; message: string }): void;
}

/** What {@link createDeadLetterSink} needs. */
export interface DeadLetterSinkOptions {
  onDeadLetter: ((letter: DeadLetter) => void) | undefined;
  deadLetterTopic: string | undefined;
  /** Publish a letter on the dead-letter topic (straight to the broker, never through the hub's checks). */
  publish: (topic: string, letter: DeadLetter) => Promise<unknown>;
  maxMessageBytes: number;
  count: (reason: DeadLetterReason) => void;
  onError: (error: unknown) => void;
  now: () => number;
}

const cut = (text: string, length: number) => (text.length > length ? text.slice(0, length) : text);

/** Create the hub's {@link DeadLetterSink}. Never throws. */
export function createDeadLetterSink(options: DeadLetterSinkOptions): DeadLetterSink {
  const letterOf = (publish: RejectedPublish, error: { code: ErrorCode; message: string }): DeadLetter => {
    const reason = deadLetterReasonOf(error.code);
    const letter: DeadLetter = { reason, code: error.code, message: error.message, transport: publish.transport, at: options.now() };
    if (typeof publish.topic === 'string') letter.topic = cut(publish.topic, 200);
    if (typeof publish.id === 'string') letter.id = cut(publish.id, 200);
    const principalId = (publish.principal as { id?: unknown } | undefined)?.id;
    if (typeof principalId === 'string' || typeof principalId === 'number') letter.principalId = principalId;
    if (publish.raw !== undefined) letter.preview = cut(publish.raw, DEAD_LETTER_PREVIEW_CHARS);
    else if (publish.data !== undefined) {
      if (reason === 'oversize') {
        let json: string | undefined;
        try {
          json = JSON.stringify(publish.data);
        } catch {
          json = undefined;
        }
        if (json !== undefined) letter.preview = cut(json, DEAD_LETTER_PREVIEW_CHARS);
      } else letter.data = publish.data;
    }
    return letter;
  };

  /**
   * The letter as published, within `maxMessageBytes`: `data` gives way to a preview, and the preview is cut
   * to what fits. `undefined` when even the bare letter does not fit.
   */
  const bounded = (letter: DeadLetter): DeadLetter | undefined => {
    const sizeOf = (value: DeadLetter) => Buffer.byteLength(JSON.stringify(value));
    const fits = (value: DeadLetter) => {
      try {
        return sizeOf(value) <= options.maxMessageBytes;
      } catch {
        return false;
      }
    };
    if (fits(letter)) return letter;
    const { data, ...rest } = letter;
    if (data !== undefined && rest.preview === undefined) {
      try {
        rest.preview = cut(JSON.stringify(data) ?? '', DEAD_LETTER_PREVIEW_CHARS);
      } catch {
        // Not serialisable (a cycle): the letter goes without its data.
      }
    }
    while (rest.preview !== undefined && !fits(rest)) {
      const over = sizeOf(rest) - options.maxMessageBytes;
      // Escapes and multi-byte characters make bytes exceed characters: cut at least the excess each turn.
      rest.preview = rest.preview.length > over ? rest.preview.slice(0, rest.preview.length - Math.max(over, 1)) : undefined;
    }
    return fits(rest) ? rest : undefined;
  };

  return {
    record(publish, error) {
      let letter: DeadLetter;
      try {
        letter = letterOf(publish, error);
        options.count(letter.reason);
      } catch (thrown) {
        return options.onError(thrown);
      }
      if (options.onDeadLetter) {
        try {
          options.onDeadLetter(letter);
        } catch (thrown) {
          options.onError(thrown);
        }
      }
      const topic = options.deadLetterTopic;
      // Never recursive: letters go straight to the broker, so a failed dead-letter publish makes no letter.
      if (topic === undefined) return;
      const published = bounded(letter);
      if (!published) return options.onError(new Error(`@qwik-realtime/server: dead letter too large for ${topic}`));
      options.publish(topic, published).catch(options.onError);
    },
  };
}
