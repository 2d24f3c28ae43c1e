import { $, component$, useSignal } from '@builder.io/qwik';
import { LiveFeed, RealtimeProvider } from '@qwik-realtime/qwik';
import { DemoFrame } from '../kit/demo-frame';
import { PriceItem } from '../kit/price-item';
import { ServerView } from '../kit/server-view';
import { useStandInStats } from '../kit/use-stats';
import { transportsOf } from '../kit/transports';

/** Cleanup on unmount: toggling the feeds off releases the shared connection; the server count goes to 0. */
export const CleanupDemo = component$(() => {
  const shownSig = useSignal(true);
  const statsSig = useStandInStats();
  const toggle = $(() => {
    shownSig.value = !shownSig.value;
  });
  return (
    <RealtimeProvider url="/realtime" transports={transportsOf(['websocket'])}>
      <DemoFrame
        title="Cleanup on unmount"
        explain={`Two feeds share one connection (reference-counted). Hide them: each releases its subscription on unmount, and 1000 ms after the last one the shared connection closes — watch the server's connection count go to 0. Show them again: one new connection.`}
      >
        <button type="button" aria-pressed={shownSig.value} onClick$={toggle}>
          {shownSig.value ? 'Hide the feeds' : 'Show the feeds'}
        </button>
        <div class="panel">
          <ServerView stats={statsSig.value} />
        </div>
        {shownSig.value && (
          <div class="row" data-feeds="shown">
            <LiveFeed topic="prices:BTC" limit={4} item={PriceItem} aria-label="prices:BTC ticks" />
            <LiveFeed topic="prices:ETH" limit={4} item={PriceItem} aria-label="prices:ETH ticks" />
          </div>
        )}
      </DemoFrame>
    </RealtimeProvider>
  );
});
