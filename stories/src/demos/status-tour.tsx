import { component$ } from '@builder.io/qwik';
import { ConnectionStatus, LiveFeed, RealtimeProvider, useConnectionState, type RealtimeConfig } from '@qwik-realtime/qwik';
import { DemoFrame } from '../kit/demo-frame';
import { PriceItem } from '../kit/price-item';
import { FaultBar, FAULTS } from '../kit/fault-bar';
import { RetryButton } from '../kit/retry-button';
import { ServerView } from '../kit/server-view';
import { StateLog } from '../kit/state-log';
import { useStandInStats } from '../kit/use-stats';
import { transportsOf } from '../kit/transports';

/** The endpoint of the status tour: short backoff cap and heartbeat grace so every state shows within seconds. */
export const TOUR_CONFIG: RealtimeConfig = {
  url: '/realtime',
  transports: transportsOf(['websocket', 'sse', 'long-poll']),
  options: { backoff: { baseMs: 1000, capMs: 8000 }, heartbeatGraceMs: 1000 },
};

const TourLog = component$(() => {
  const stateSig = useConnectionState({ strategy: 'document-ready' });
  return <StateLog stateSig={stateSig} />;
});

/** `<ConnectionStatus>` driven through connecting, live, reconnecting (with countdown), error and back. */
export const StatusTour = component$<{ labels?: Record<string, string> }>((props) => {
  const statsSig = useStandInStats();
  return (
    <RealtimeProvider url={TOUR_CONFIG.url} transports={TOUR_CONFIG.transports} options={TOUR_CONFIG.options}>
      <DemoFrame
        title="ConnectionStatus through every state"
        explain="Stop the server: the badge counts down to each retry (full-jitter backoff, 8 s cap here). Reject auth: the client stops retrying and shows the error until you allow auth and press Retry now. Go silent: no heartbeat, so the watchdog gives up after heartbeat + grace."
      >
        <div class="row">
          <ConnectionStatus labels={props.labels} />
          <RetryButton config={TOUR_CONFIG} />
        </div>
        <FaultBar
          buttons={[
            FAULTS.drop,
            FAULTS.down,
            { label: 'Reject auth', action: 'auth', params: { mode: 'reject' } },
            { label: 'Allow auth', action: 'auth', params: { mode: 'open' } },
            FAULTS.silent,
            FAULTS.speak,
          ]}
        />
        <div class="panel">
          <ServerView stats={statsSig.value} />
        </div>
        <TourLog />
        <LiveFeed topic="prices:ETH" limit={3} history={3} item={PriceItem} aria-label="prices:ETH ticks" />
      </DemoFrame>
    </RealtimeProvider>
  );
});
