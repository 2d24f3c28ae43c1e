import { component$ } from '@builder.io/qwik';
import type { TransportName } from '@qwik-realtime/core';
import { ConnectionStatus, LiveFeed, RealtimeProvider } from '@qwik-realtime/qwik';
import { FaultBar, FAULTS } from '../kit/fault-bar';
import { PriceItem } from '../kit/price-item';
import { ServerView } from '../kit/server-view';
import { TransportBadge } from '../kit/transport-badge';
import { useStandInStats } from '../kit/use-stats';

/** Props of {@link TransportFeed}. */
export interface TransportFeedProps {
  /** Fallback chain, in order. */
  transports: TransportName[];
  /** Topic to show. */
  topic: 'prices:BTC' | 'prices:ETH';
  /** Items kept. */
  limit: number;
  /** Offer the "refuse WebSocket" fault (the fallback story). */
  withFallbackControls?: boolean;
}

/** A price `LiveFeed` over a chosen transport chain, with its status, the server's view and a drop button. */
export const TransportFeed = component$<TransportFeedProps>((props) => {
  const statsSig = useStandInStats();
  const buttons = props.withFallbackControls ? [FAULTS.refuseWs, FAULTS.allowWs, FAULTS.drop] : [FAULTS.drop];
  return (
    <RealtimeProvider url="/realtime" transports={props.transports}>
      <section class="demo">
        <div class="row">
          <ConnectionStatus />
          <TransportBadge />
        </div>
        <FaultBar buttons={buttons} />
        <div class="panel">
          <ServerView stats={statsSig.value} />
        </div>
        <LiveFeed topic={props.topic} limit={props.limit} history={5} item={PriceItem} aria-label={`${props.topic} ticks`} />
      </section>
    </RealtimeProvider>
  );
});
