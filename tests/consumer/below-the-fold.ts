/**
 * A page the test adds to the README's app: the same feed, below the fold, to measure what the browser
 * fetches and runs before the feed is visible. Not README code.
 */
export const BELOW_THE_FOLD_PAGE = `import { component$ } from '@builder.io/qwik';
import { routeLoader$ } from '@builder.io/qwik-city';
import { ConnectionStatus, LiveFeed, RealtimeProvider } from '@qwik-realtime/qwik';
import { loadFeed } from '@qwik-realtime/qwik/server';
import { defaultTransports } from '@qwik-realtime/qwik/transports/default';
import { hub } from '~/hub';

export const useBelow = routeLoader$(() => loadFeed(hub, 'news'));

export default component$(() => {
  const news = useBelow();
  return (
    <RealtimeProvider url="/realtime" transports={defaultTransports}>
      <h1>Below the fold</h1>
      <div style={{ height: '3000px' }}>scroll down</div>
      <section id="below">
        <ConnectionStatus />
        <LiveFeed topic="news" seed={news.value} />
      </section>
    </RealtimeProvider>
  );
});
`;
