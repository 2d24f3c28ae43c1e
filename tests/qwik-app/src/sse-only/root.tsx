import { component$, useSignal } from '@builder.io/qwik';
import { ConnectionStatus, LiveFeed, RealtimeProvider, useSubscription$ } from '@qwik-realtime/qwik';
import { sse } from '@qwik-realtime/qwik/transports/sse';

/** `useSubscription$` as a page uses it: the newest message's text. */
const Latest = component$(() => {
  const latestSig = useSignal('');
  useSubscription$(
    (message) => {
      latestSig.value = String(message.data);
    },
    { topic: 'sse-only' },
  );
  return <p data-latest>{latestSig.value}</p>;
});

/**
 * A page whose provider names SSE only. Built on its own by `vite.sse-only.config.ts` (a client build with
 * this as the root), so everything in that output is what such a page can load; `tests/e2e/qwik-sse-only-build.test.ts`
 * checks it holds no other transport and no worker host.
 */
export default component$(() => (
  <html>
    <head>
      <meta charset="utf-8" />
      <title>SSE only</title>
    </head>
    <body>
      <RealtimeProvider url="/realtime" transports={[sse]}>
        <ConnectionStatus />
        <Latest />
        <LiveFeed topic="sse-only" limit={20} />
      </RealtimeProvider>
    </body>
  </html>
));
