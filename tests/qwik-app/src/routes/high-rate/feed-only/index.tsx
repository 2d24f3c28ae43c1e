import { component$ } from '@builder.io/qwik';
import { useLocation } from '@builder.io/qwik-city';
import { LiveFeed, RealtimeProvider } from '@qwik-realtime/qwik';
import { websocket } from '@qwik-realtime/qwik/transports/websocket';
import { workerHost } from '@qwik-realtime/qwik/worker';

/**
 * `?topic=T`: only a LiveFeed of the last 50 under the worker host, nothing that asks for every message:
 * what the tab receives from the host is what the feed's window lets through.
 */
export default component$(() => {
  const topic = useLocation().url.searchParams.get('topic') ?? 'high-rate';
  return (
    <RealtimeProvider url="/realtime" transports={[websocket]} host={workerHost}>
      <h1>Feed only</h1>
      <LiveFeed topic={topic} limit={50} aria-label="high-rate feed" strategy="document-ready" />
    </RealtimeProvider>
  );
});
