import { component$ } from '@builder.io/qwik';
import type { TransportName } from '@qwik-realtime/core';
import { ConnectionStatus, LiveFeed, RealtimeProvider } from '@qwik-realtime/qwik';
import { DemoFrame } from '../kit/demo-frame';
import { FaultBar, FAULTS } from '../kit/fault-bar';
import { PriceItem } from '../kit/price-item';
import { ServerView } from '../kit/server-view';
import { TransportBadge } from '../kit/transport-badge';
import { useStandInStats } from '../kit/use-stats';
import { transportsOf } from '../kit/transports';

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
    <RealtimeProvider url="/realtime" transports={transportsOf(props.transports)}>
      <DemoFrame
        title={`LiveFeed over ${props.transports.join(' → ')}`}
        explain={
          props.withFallbackControls
            ? 'The default chain: WebSocket first, then SSE, then long-poll. Refuse WebSocket and reload: the upgrade fails before it ever opens, so the client moves straight on to SSE (the badge names the transport in use). Allow WebSocket and reload to get it back.'
            : 'Each item shows its offset (#n). Drop connections: the client reconnects over the same transport and resumes from the last offset it saw, so the list continues with no gap and no repeat.'
        }
      >
        <div class="row">
          <ConnectionStatus />
          <TransportBadge />
        </div>
        <FaultBar buttons={buttons} />
        <div class="panel">
          <ServerView stats={statsSig.value} />
        </div>
        <LiveFeed topic={props.topic} limit={props.limit} history={5} item={PriceItem} aria-label={`${props.topic} ticks`} />
      </DemoFrame>
    </RealtimeProvider>
  );
});
