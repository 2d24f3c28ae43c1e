import { component$ } from '@builder.io/qwik';
import { useLocation } from '@builder.io/qwik-city';
import { ConnectionStatus, LiveFeed, RealtimeProvider, type TransportQrl } from '@qwik-realtime/qwik';
import { fetchSse } from '@qwik-realtime/qwik/transports/fetch-sse';
import { longPoll } from '@qwik-realtime/qwik/transports/long-poll';
import { sse } from '@qwik-realtime/qwik/transports/sse';
import { websocket } from '@qwik-realtime/qwik/transports/websocket';
import { workerHost } from '@qwik-realtime/qwik/worker';
import { SeqProbe } from './seq-probe';

const TRANSPORTS: Record<string, TransportQrl> = { websocket, sse, 'fetch-sse': fetchSse, 'long-poll': longPoll };

/**
 * A high-rate feed: `?topic=T&transport=websocket|sse|fetch-sse|long-poll&host=main|worker`. A LiveFeed of
 * the last 50 plus a probe that checks every message's `seq` as `useSubscription$` hands it over.
 */
export default component$(() => {
  const params = useLocation().url.searchParams;
  const topic = params.get('topic') ?? 'high-rate';
  const transport = TRANSPORTS[params.get('transport') ?? 'websocket'] ?? websocket;
  const host = params.get('host') === 'worker' ? workerHost : undefined;
  return (
    <RealtimeProvider url="/realtime" transports={[transport]} host={host}>
      <h1>High-rate feed</h1>
      <ConnectionStatus />
      <SeqProbe topic={topic} />
      <LiveFeed topic={topic} limit={50} aria-label="high-rate feed" strategy="document-ready" />
    </RealtimeProvider>
  );
});
