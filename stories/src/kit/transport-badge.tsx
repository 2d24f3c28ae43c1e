import { component$ } from '@builder.io/qwik';
import { useConnectionState, type RealtimeConfig } from '@qwik-realtime/qwik';

/** Which transport the shared connection uses right now, and the attempt counter. */
export const TransportBadge = component$<{ config?: RealtimeConfig }>((props) => {
  const stateSig = useConnectionState({ strategy: 'document-ready', ...(props.config ? { config: props.config } : {}) });
  return (
    <span class="transport" data-transport={stateSig.value.transport ?? 'none'} data-status={stateSig.value.status}>
      Transport: <b>{stateSig.value.transport ?? '—'}</b> · status <b>{stateSig.value.status}</b> · attempt{' '}
      <b data-attempt={stateSig.value.attempt}>{stateSig.value.attempt}</b>
    </span>
  );
});
