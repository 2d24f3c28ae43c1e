import { component$, useSignal } from '@builder.io/qwik';
import { ConnectionStatus, LiveFeed, RealtimeProvider, useSubscription$ } from '@qwik-realtime/qwik';
import type { PriceTick } from '../../stand-in-broker/feeds';
import { Counter } from '../kit/counter';
import { DemoFrame } from '../kit/demo-frame';
import { PriceItem } from '../kit/price-item';
import { useStandInStats } from '../kit/use-stats';
import { transportsOf } from '../kit/transports';

/** Props of {@link TopicFilter}. */
export interface TopicFilterProps {
  symbol: 'BTC' | 'ETH';
}

const SymbolCounts = component$<TopicFilterProps>((props) => {
  const btcSig = useSignal(0);
  const ethSig = useSignal(0);
  useSubscription$<PriceTick>(
    (message) => {
      if (message.data.symbol === 'BTC') btcSig.value++;
      else ethSig.value++;
    },
    { topic: `prices:${props.symbol}`, strategy: 'document-ready' },
  );
  return (
    <div class="counters" aria-label="Messages received per symbol">
      <Counter name="btc" label="BTC ticks received" value={btcSig.value} />
      <Counter name="eth" label="ETH ticks received" value={ethSig.value} />
    </div>
  );
});

/** Topic filtering: subscribe to one symbol; the hub sends nothing of the other. */
export const TopicFilter = component$<TopicFilterProps>((props) => {
  const statsSig = useStandInStats();
  const topics = Object.entries(statsSig.value?.topics ?? {})
    .filter(([, count]) => count > 0)
    .map(([topic]) => topic);
  return (
    <RealtimeProvider url="/realtime" transports={transportsOf(['websocket'])}>
      <DemoFrame
        title="Topic filtering"
        explain="The ticker publishes prices:BTC and prices:ETH. This page subscribes to one topic (pick the symbol in Controls): the filtering happens on the server, so the other symbol's counter stays at 0 and the server lists one subscribed topic."
      >
        <ConnectionStatus />
        <SymbolCounts key={props.symbol} symbol={props.symbol} />
        <p>
          Topics the server is sending to this page: <b data-server-topics>{topics.join(', ') || 'none'}</b>
        </p>
        <LiveFeed topic={`prices:${props.symbol}`} limit={8} item={PriceItem} aria-label={`prices:${props.symbol} ticks`} />
      </DemoFrame>
    </RealtimeProvider>
  );
});
