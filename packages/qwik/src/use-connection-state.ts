import { useSignal, useVisibleTask$, type Signal } from '@builder.io/qwik';
import type { ConnectionState } from '@qwik-realtime/core';
import { acquireClient } from './client-registry.js';
import type { ConnectStrategy, RealtimeConfig } from './config.js';
import { INITIAL_STATE } from './live-topics.js';
import { plainState } from './plain.js';
import { useRealtimeConfig } from './use-realtime-config.js';

/** Options of {@link useConnectionState}. */
export interface UseConnectionStateOptions {
  /** When to start observing. @default 'intersection-observer' */
  strategy?: ConnectStrategy;
  /** Endpoint, instead of the nearest provider's. */
  config?: RealtimeConfig;
}

/**
 * The state of the page's shared connection as a signal of plain data (`status`, `attempt`,
 * `nextRetryAt`, `error`, `transport`). Observing does not connect by itself: the connection opens when
 * some component subscribes.
 * @example
 * const state = useConnectionState();
 * return <span data-state={state.value.status}>{state.value.status}</span>;
 */
export function useConnectionState(options: UseConnectionStateOptions = {}): Readonly<Signal<ConnectionState>> {
  const config = useRealtimeConfig(options.config);
  const stateSig = useSignal<ConnectionState>(INITIAL_STATE);
  // Observing a live client is browser-only work; a visible task is the place for it.
  useVisibleTask$(
    async function observeConnection({ cleanup }) {
      let closed = false;
      let stop = () => {};
      cleanup(() => {
        closed = true;
        stop();
      });
      const lease = await acquireClient(config);
      if (closed) return lease.release();
      let unobserve = () => {};
      const observe = () => {
        stateSig.value = plainState(lease.client.getState());
        unobserve = lease.client.onState((state) => {
          stateSig.value = plainState(state);
        });
      };
      // registerClient may replace the client later: observe the new one.
      lease.onMove(() => {
        unobserve();
        observe();
      });
      observe();
      stop = () => {
        unobserve();
        lease.release();
      };
    },
    { strategy: options.strategy ?? 'intersection-observer' },
  );
  return stateSig;
}
