import { backoffDelay } from './backoff.js';
import type { Connection } from './connection.js';
import { clientError, clientErrorOfBody, toPublishError, tokenError } from './errors.js';
import { randomId } from './platform.js';
import type { ResolvedPlatform } from './platform.js';
import type { ErrorBody } from './protocol/codes.js';
import type { PublishAck, PublishRequest } from './protocol/frames.js';
import { isValidTopic } from './protocol/topic.js';
import { readJson } from './transports/read-json.js';
import { serverMs } from './transports/url.js';
import type { ClientError, PublishOptions } from './types.js';

/** What {@link createPublisher} needs. */
export interface PublisherOptions {
  url: string;
  platform: ResolvedPlatform;
  connection: Connection;
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  headers?: Record<string, string>;
  timeoutMs: number;
  retries: number;
}

type Failure = ClientError & { retryAfterMs?: number };

const closedBefore = (what: string, topic: string) =>
  toPublishError({ ...clientError('disconnected', `@qwik-realtime/core: client closed before the publish was ${what}`, topic), retry: 'no_retry' });

/** What {@link createPublisher} returns. */
export interface Publisher {
  publish<T>(topic: string, data: T, options?: PublishOptions): Promise<PublishAck>;
  /** The rejection of a publish the client was asked for before it closed, but had not sent yet. */
  refuse(topic: string): Promise<never>;
  /** The client closed: publishes waiting to be retried reject now and send nothing more. */
  close(): void;
}

/**
 * Publish with acknowledgement: over the open session when it can publish (WebSocket frame), else with
 * `POST {url}/publish`. The idempotency id is made once and reused by every retry, so a publish whose ack
 * was lost is acknowledged again (`duplicate: true`) instead of delivered twice.
 */
export function createPublisher(options: PublisherOptions): Publisher {
  const { platform } = options;
  /** Publishes waiting for their retry delay, so `close()` can end them. */
  const waiting = new Set<{ timer: unknown; stop: () => void }>();
  /** Bumped by `close()`: a publish started before it never retries after it (even one in flight then). */
  let generation = 0;
  /** Requests waiting for their answer: a timeout or `close()` aborts them (no POST left hanging). */
  const inFlight = new Set<AbortController>();

  const overHttp = async (request: PublishRequest, signal: AbortSignal): Promise<PublishAck> => {
    const fetch = options.platform.fetch();
    if (!fetch) throw clientError('disconnected', '@qwik-realtime/core: no connection and no fetch to publish with');
    let token: string | undefined;
    try {
      token = (await options.getToken?.()) ?? undefined;
    } catch (error) {
      throw tokenError(error);
    }
    let response: Response;
    try {
      response = await fetch(`${options.url}/publish`, {
        method: 'POST',
        credentials: 'include',
        headers: { ...options.headers, 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(request),
        signal,
      });
    } catch (error) {
      throw clientError('disconnected', `@qwik-realtime/core: publish failed: ${String(error)}`);
    }
    // An ack or an error is small: a longer (endless, hostile) answer is not buffered.
    const body = await readJson<PublishAck | ErrorBody>(response, 65_536);
    if (response.ok && body && 'id' in body) return body;
    // A 2xx that is no ack (a proxy's page, a cut answer) may or may not have published: retried under the same
    // id, which the hub acknowledges as a duplicate if it did.
    if (response.ok) throw clientError('internal', '@qwik-realtime/core: publish answered without an ack');
    const failure: Failure = clientErrorOfBody(body as ErrorBody | undefined, response.status);
    // The body's `retryAfterMs` is exact; `Retry-After` is whole seconds (a proxy's answer may have only that).
    // Both are capped like every announced duration: 1e12 would overflow the retry timer into an immediate retry.
    const hint = serverMs(body && 'retryAfterMs' in body && body.retryAfterMs) || serverMs(Number(response.headers.get('retry-after')) * 1000);
    if (hint) failure.retryAfterMs = hint;
    throw failure;
  };

  const once = (request: PublishRequest): Promise<PublishAck> => {
    const session = options.connection.session();
    // Aborted on timeout, so the session forgets the request instead of keeping it until it closes.
    const controller = new AbortController();
    inFlight.add(controller);
    const sent = session?.publish ? session.publish(request, randomId(platform), controller.signal) : overHttp(request, controller.signal);
    return new Promise<PublishAck>((resolve, reject) => {
      const timer = platform.setTimeout(() => {
        controller.abort();
        reject(clientError('disconnected', '@qwik-realtime/core: publish not acknowledged in time'));
      }, options.timeoutMs);
      sent.then(resolve, reject).finally(() => {
        platform.clearTimeout(timer);
        inFlight.delete(controller);
      });
    });
  };

  const pause = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const entry = { timer: undefined as unknown, stop: () => resolve(false) };
      entry.timer = platform.setTimeout(() => {
        waiting.delete(entry);
        resolve(true);
      }, ms);
      waiting.add(entry);
    });

  const publish = async <T>(topic: string, data: T, publishOptions?: PublishOptions): Promise<PublishAck> => {
    if (!isValidTopic(topic)) throw toPublishError(clientError('invalid_topic', `@qwik-realtime/core: invalid topic ${JSON.stringify(topic)}`, topic));
    const request: PublishRequest = { topic, data, id: publishOptions?.id ?? randomId(platform) };
    const started = generation;
    for (let attempt = 0; ; attempt++) {
      try {
        return await once(request);
      } catch (caught) {
        const failure = (caught && typeof caught === 'object' && 'code' in caught ? caught : clientError('internal', String(caught))) as Failure;
        if (failure.retry === 'no_retry' || attempt >= options.retries) {
          const { retryAfterMs: _, ...error } = failure;
          throw toPublishError(error);
        }
        const delay = Math.max(failure.retryAfterMs ?? 0, backoffDelay(attempt, platform.random(), { baseMs: 500, capMs: 5000 }));
        if (started !== generation || !(await pause(delay))) {
          throw closedBefore('retried', topic);
        }
      }
    }
  };

  return {
    publish,
    refuse: (topic) => Promise.reject(closedBefore('sent', topic)),
    close() {
      generation++;
      for (const controller of inFlight) controller.abort();
      inFlight.clear();
      for (const entry of waiting) {
        platform.clearTimeout(entry.timer);
        entry.stop();
      }
      waiting.clear();
    },
  };
}
