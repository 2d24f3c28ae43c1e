import { component$ } from '@builder.io/qwik';
import { LiveFeed, RealtimeProvider } from '@qwik-realtime/qwik';
import { Counter } from '../kit/counter';
import { DemoFrame } from '../kit/demo-frame';
import { PriceItem } from '../kit/price-item';
import { useStandInStats } from '../kit/use-stats';
import { useWhenVisible } from '../kit/when-visible';
import { transportsOf } from '../kit/transports';

/** Lazy connect: a feed below the fold opens no connection until it scrolls into view. */
export const LazyDemo = component$(() => {
  const statsSig = useStandInStats();
  const { ref, visibleSig } = useWhenVisible();
  return (
    <RealtimeProvider url="/realtime" transports={transportsOf(['sse'])}>
      <DemoFrame
        title="Lazy connect when visible"
        explain="The feed below sits far below the fold, so until you scroll down the server sees no request at all. In a Qwik City page this is built in: LiveFeed connects from a visible task with the intersection-observer strategy, and a server-rendered component wakes only when it becomes visible. Qwik runs the visible tasks of client-rendered components at once, though, and Storybook renders everything in the browser — so here the feed is mounted on intersection by a small useWhenVisible hook, as a client-rendered route would need."
      >
        <div class="counters" style={{ position: 'sticky', top: '0', background: '#fff', zIndex: 1 }}>
          <Counter name="connections" label="Server connections" value={statsSig.value?.connections.total ?? 0} />
          <Counter name="attempts" label="Connection attempts the server saw" value={statsSig.value?.auth.attempts ?? 0} />
        </div>
        <div style={{ height: '160vh' }} class="panel">
          Scroll down ↓
        </div>
        <div ref={ref} style={{ minHeight: '120px' }} data-visible={visibleSig.value ? 'true' : 'false'}>
          {visibleSig.value && <LiveFeed topic="prices:BTC" limit={5} item={PriceItem} aria-label="Below the fold: prices:BTC ticks" />}
        </div>
      </DemoFrame>
    </RealtimeProvider>
  );
});
