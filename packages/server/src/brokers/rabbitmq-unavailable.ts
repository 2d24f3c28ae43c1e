import { RealtimeError } from '../errors.js';

/** A `broker_unavailable` error naming the RabbitMQ broker. */
export const unavailable = (detail: string): RealtimeError => new RealtimeError('broker_unavailable', `rabbitmq broker: ${detail}`);

/** `error` itself when it is already a {@link RealtimeError}, otherwise a `broker_unavailable` with its message. */
export const asUnavailable = (error: unknown): RealtimeError =>
  error instanceof RealtimeError ? error : unavailable(error instanceof Error ? error.message : String(error));

/** `promise`, or a `broker_unavailable` rejection when it has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(unavailable(`${what}: no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(asUnavailable(error))),
    );
  });
}
