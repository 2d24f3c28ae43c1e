import { component$, Slot, useSignal, useVisibleTask$ } from '@builder.io/qwik';
import type { ConnectStrategy, RealtimeConfig } from '../config.js';
import { useFeedQrl } from '../use-feed.js';
import { DEFAULT_LABELS, statusText, topicKind, type StatusLabels } from './status-kind.js';

/** Props of {@link ConnectionStatus}. */
export interface ConnectionStatusProps {
  /** Replace some texts; `{s}` = seconds to the next attempt, `{message}` = the error message. */
  labels?: Partial<StatusLabels>;
  /** Also show this topic's subscription: a refused topic is an `error` with its message. May change. */
  topic?: string;
  /** When to start observing. @default 'intersection-observer' */
  strategy?: ConnectStrategy;
  /** Endpoint, instead of the nearest provider's. */
  config?: RealtimeConfig;
  class?: string;
}

/**
 * An accessible badge for the shared connection: "Connecting…", "Live", "Reconnecting in 4 s",
 * "Offline", "Error: …" or — when nothing on the page is subscribed — "Not connected", announced politely
 * to screen readers. `data-state` carries the kind for
 * styling. Content projected into the slot named after a kind (`q:slot="live"`) shows only in that state;
 * the default slot always shows.
 * @example
 * <ConnectionStatus labels={{ live: 'Online' }}>
 *   <span q:slot="error">Please reload.</span>
 * </ConnectionStatus>
 */
export const ConnectionStatus = component$<ConnectionStatusProps>((props) => {
  // Without a topic this only observes the connection (a disabled channel subscribes to nothing).
  const [{ stateSig, topicStateSig }] = useFeedQrl(undefined, {
    topic: props.topic ?? '',
    enabled: props.topic !== undefined,
    limit: 1,
    strategy: props.strategy,
    config: props.config,
  });
  const onlineSig = useSignal(true);
  const nowSig = useSignal(0);
  const observingSig = useSignal(false);

  // Browser-only: the network events and a countdown clock while a retry is scheduled.
  useVisibleTask$(
    function tickWhileReconnecting({ track, cleanup }) {
      observingSig.value = true;
      const update = () => {
        onlineSig.value = globalThis.navigator?.onLine !== false;
      };
      update();
      globalThis.addEventListener?.('online', update);
      globalThis.addEventListener?.('offline', update);
      cleanup(() => {
        globalThis.removeEventListener?.('online', update);
        globalThis.removeEventListener?.('offline', update);
      });
      const status = track(() => stateSig.value.status);
      nowSig.value = Date.now();
      if (status !== 'reconnecting') return;
      const timer = setInterval(() => {
        nowSig.value = Date.now();
      }, 1000);
      cleanup(() => clearInterval(timer));
    },
    { strategy: props.strategy ?? 'intersection-observer' },
  );

  const labels = { ...DEFAULT_LABELS, ...props.labels };
  // In the browser, idle means nothing on the page is subscribed (the client disconnected on purpose).
  const topicState = props.topic !== undefined ? topicStateSig.value : null;
  const failed = topicState?.status === 'failed';
  const idle = !failed && observingSig.value && onlineSig.value && stateSig.value.status === 'idle' && !stateSig.value.error;
  const live = { topic: '', status: 'live' as const, error: null, recovered: true, nextRetryAt: null };
  const kind = idle ? 'idle' : topicKind(stateSig.value, topicState ?? live, onlineSig.value);
  const shown = failed ? { ...stateSig.value, error: topicState!.error } : stateSig.value;
  return (
    <div role="status" aria-live="polite" data-state={kind} data-topic={props.topic} class={props.class}>
      <span data-part="label">{statusText(kind, shown, nowSig.value, labels)}</span>
      <Slot name={kind} />
      <Slot />
    </div>
  );
});
