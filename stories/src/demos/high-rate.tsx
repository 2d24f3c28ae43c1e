import { component$, useSignal, useVisibleTask$ } from '@builder.io/qwik';
import { ConnectionStatus, LiveFeed, RealtimeProvider, useSubscription$ } from '@qwik-realtime/qwik';
import { DEFAULT_RATES } from '../../stand-in-broker/feeds';
import { control } from '../kit/control';
import { Counter } from '../kit/counter';
import { DemoFrame } from '../kit/demo-frame';
import { PriceItem } from '../kit/price-item';
import { transportsOf } from '../kit/transports';

/** Props of {@link HighRateDemo}. */
export interface HighRateDemoProps {
  /** Messages per second per symbol the stand-in publishes while the story is open. */
  rate: number;
}

const Meter = component$(() => {
  const totalSig = useSignal(0);
  const perSecondSig = useSignal(0);
  const fpsSig = useSignal(0);
  useSubscription$(
    () => {
      totalSig.value++;
    },
    { topics: ['prices:BTC', 'prices:ETH'], strategy: 'document-ready' },
  );
  // Measuring frames and throughput needs the browser's clock and rAF.
  useVisibleTask$(({ cleanup }) => {
    let frames = 0;
    let last = totalSig.value;
    let raf = requestAnimationFrame(function frame() {
      frames++;
      raf = requestAnimationFrame(frame);
    });
    const timer = setInterval(() => {
      fpsSig.value = frames;
      frames = 0;
      perSecondSig.value = totalSig.value - last;
      last = totalSig.value;
    }, 1000);
    cleanup(() => {
      cancelAnimationFrame(raf);
      clearInterval(timer);
    });
  });
  return (
    <div class="counters" aria-label="Throughput">
      <Counter name="total" label="Messages received" value={totalSig.value} />
      <Counter name="per-second" label="Messages / s" value={perSecondSig.value} />
      <Counter name="fps" label="Frames / s" value={fpsSig.value} />
    </div>
  );
});

/** A high-rate ticker: thousands of messages per second, applied at most once per animation frame. */
export const HighRateDemo = component$<HighRateDemoProps>((props) => {
  // The stand-in's rate is shared by every page: hold it as a lease renewed while this story is open, so
  // it falls back by itself if the tab is closed without a cleanup.
  useVisibleTask$(({ track, cleanup }) => {
    const rate = track(() => props.rate);
    const renew = () => void control('rate', { feed: 'prices', n: rate, ttlMs: 5000 });
    renew();
    const timer = setInterval(renew, 2000);
    cleanup(() => {
      clearInterval(timer);
      void control('rate', { feed: 'prices', n: DEFAULT_RATES.prices });
    });
  });
  return (
    <RealtimeProvider url="/realtime" transports={transportsOf(['websocket'])}>
      <DemoFrame
        title="High-rate ticker"
        explain={`The stand-in publishes ${props.rate} ticks per second on each of prices:BTC and prices:ETH. The client parses each frame once and hands batches to the hooks, which apply them at most once per animation frame; the lists never grow past their limit, so the page keeps its frame rate.`}
      >
        <ConnectionStatus strategy="document-ready" />
        <Meter />
        <div class="row" style={{ alignItems: 'flex-start' }}>
          <LiveFeed topic="prices:BTC" limit={10} item={PriceItem} aria-label="prices:BTC ticks" />
          <LiveFeed topic="prices:ETH" limit={10} item={PriceItem} aria-label="prices:ETH ticks" />
        </div>
      </DemoFrame>
    </RealtimeProvider>
  );
});
