import { isValidTopic } from '@qwik-realtime/core/protocol';
import type { PublishAck } from '@qwik-realtime/core/protocol';
import type { Broker } from './broker.js';
import { RealtimeError } from './errors.js';

/** Longest publisher-supplied message id. */
export const MAX_ID_LENGTH = 128;

/** Options of a publish. */
export interface PublishOptions {
  /** Idempotency key: publishing the same id on the same topic again is acknowledged but not delivered twice. */
  id?: string;
}

/** A publish that passed validation ({@link validatePublish}). */
export interface ValidPublish {
  topic: string;
  data: unknown;
  id: string | undefined;
}

/**
 * Validate one publish the same way for every entry point (WebSocket frame, `POST /publish`, `hub.publish`):
 * topic syntax, id, JSON-serializable data within `maxMessageBytes`. Throws a {@link RealtimeError}.
 */
export function validatePublish(topic: unknown, data: unknown, id: unknown, maxMessageBytes: number): ValidPublish {
  if (!isValidTopic(topic)) throw new RealtimeError('invalid_topic', `invalid topic ${JSON.stringify(topic)?.slice(0, 140)}`);
  if (id !== undefined && (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH)) {
    throw new RealtimeError('bad_request', `id must be a string of 1-${MAX_ID_LENGTH} characters`, topic);
  }
  if (data === undefined) throw new RealtimeError('bad_request', 'data is missing', topic);
  let json: string;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    throw new RealtimeError('bad_request', `data is not JSON-serializable: ${String(error)}`, topic);
  }
  if (json === undefined) throw new RealtimeError('bad_request', 'data is not JSON-serializable', topic);
  const size = Buffer.byteLength(json);
  if (size > maxMessageBytes) {
    throw new RealtimeError('message_too_large', `message of ${size} bytes is over the limit of ${maxMessageBytes}`, topic);
  }
  return { topic, data, id: id as string | undefined };
}

/** Publish a validated message on the broker; a broker failure becomes `broker_unavailable`. */
export async function sendPublish(
  broker: Broker,
  publish: ValidPublish,
  clock: { now: () => number; generateId: () => string },
): Promise<PublishAck> {
  const { topic } = publish;
  let result;
  try {
    result = await broker.publish(topic, { id: publish.id ?? clock.generateId(), data: publish.data, timestamp: clock.now() });
  } catch (error) {
    throw error instanceof RealtimeError ? error : new RealtimeError('broker_unavailable', `publish failed: ${String(error)}`, topic);
  }
  const { message, duplicate } = result;
  return { id: message.id, topic, offset: message.offset, epoch: message.epoch, timestamp: message.timestamp, duplicate };
}
