/**
 * What `hook` returns, or an error once `ms` passed without its promise settling (the hub's hook wrappers turn
 * it into `internal`, retryable, and tell `onError`).
 * A user hook that never answers (`authenticate` awaiting a service with no timeout of its own) would
 * otherwise hold a handshake slot — or a WebSocket's whole frame queue — forever: at `maxConcurrentHandshakes`
 * such requests the hub refuses everyone. The late result is dropped.
 * A hook that answers synchronously costs no timer.
 */
export function withinDeadline<T>(hook: () => T | PromiseLike<T>, ms: number, name: string): T | Promise<T> {
  const result = hook();
  if (!isThenable(result)) return result;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`@qwik-realtime/server: the ${name} hook did not settle within ${ms} ms (hookTimeoutMs)`)), ms);
    // A hung hook must not keep a shut-down server's process alive for `ms` (its request is gone anyway).
    (timer as { unref?: () => void }).unref?.();
    // Through `Promise.resolve`: a thenable's value may be another thenable (the deadline holds until the value is
    // final), and a `then` that throws rejects here, clearing the timer, instead of escaping past it.
    Promise.resolve(result).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

const isThenable = <T>(value: T | PromiseLike<T>): value is PromiseLike<T> =>
  typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
