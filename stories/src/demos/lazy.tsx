import { component$ } from '@builder.io/qwik';
import { LiveFeed, RealtimeProvider } from '@qwik-realtime/qwik';
import { Counter } from '../kit/counter';
import { DemoFrame } from '../kit/demo-frame';
import { PriceItem } from '../kit/price-item';
import { useStandInStats } from '../kit/use-stats';

/** Lazy connect: a feed below the fold opens no connection until it scrolls into view. */
export const LazyDemo = component$(() => {
  const statsSig = useStandInStats();
  return (
    <RealtimeProvider url="/realtime" transports={['sse']}>
      <DemoFrame
        title="Lazy connect when visible"
        explain="The feed below sits far below the fold. Its connection is opened by a visible task with the intersection-observer strategy, so until you scroll down the server has seen no request at all."
      >
        <div class="counters" style={{ position: 'sticky', top: '0', background: '#fff', zIndex: 1 }}>
          <Counter name="connections" label="Server connections" value={statsSig.value?.connections.total ?? 0} />
          <Counter name="attempts" label="Requests to the hub" value={statsSig.value?.auth.attempts ?? 0} />
        </div>
        <div style={{ height: '160vh' }} class="panel">
          Scroll down ↓
        </div>
        <LiveFeed topic="prices:BTC" limit={5} item={PriceItem} aria-label="Below the fold: prices:BTC ticks" />
      </DemoFrame>
    </RealtimeProvider>
  );
});
