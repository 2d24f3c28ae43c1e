import type { PublishAck } from '@qwik-realtime/core/protocol';
import type { HubLike } from './hub-like.js';

/** A form's fields as `routeAction$` hands them over. */
export type FormFields = Record<string, unknown>;

/** The failure an action returns (through `event.fail`) when the hub refuses a publish. */
export interface PublishFailure {
  code: string;
  message: string;
}

/** What `event.fail` returns: the data marked `failed: true` (qwik-city's `FailReturn`). */
export type Failed<F> = F & { failed: true };

/** The part of qwik-city's `RequestEventAction` the handler uses. */
export interface ActionEventLike {
  fail<F extends Record<string, any>>(status: number, data: F): Failed<F>;
}

/** Options of {@link publishAction}. */
export interface PublishActionOptions<T> {
  /** The topic, or a function of the form (e.g. a hidden `room` field). */
  topic: string | ((form: FormFields) => string);
  /** Turn the form into the message data. @default the form fields as they are */
  toData?: (form: FormFields) => T;
}

const HTTP_OF_CODE: Record<string, number> = {
  message_too_large: 413,
  rate_limited: 429,
  broker_unavailable: 503,
  forbidden: 403,
  unauthorized: 401,
};

/**
 * A `routeAction$` handler that publishes the submitted form through the hub — forms work without any
 * client JavaScript, and every `LiveFeed` on the topic shows the message. Resolves with the hub's
 * acknowledgement, or `event.fail(status, { code, message })` when the hub refuses.
 * @example
 * export const usePost = routeAction$(publishAction(hub, { topic: 'chat/room-1', toData: (f) => ({ text: String(f.text) }) }));
 * // <Form action={post}><input name="text" /><button>Send</button></Form>
 */
export function publishAction<T = FormFields>(hub: HubLike, options: PublishActionOptions<T>) {
  return async (form: FormFields, event: ActionEventLike): Promise<PublishAck | Failed<PublishFailure>> => {
    try {
      const topic = typeof options.topic === 'function' ? options.topic(form) : options.topic;
      const data = options.toData ? options.toData(form) : form;
      return await hub.publish(topic, data);
    } catch (error) {
      const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'internal';
      const message = error instanceof Error ? error.message : String(error);
      const failure: PublishFailure = { code, message };
      return event.fail(HTTP_OF_CODE[code] ?? (code === 'internal' ? 500 : 400), { ...failure });
    }
  };
}
