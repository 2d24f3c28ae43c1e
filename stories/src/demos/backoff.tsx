import { component$, useComputed$ } from '@builder.io/qwik';
import { ConnectionStatus, LiveFeed, RealtimeProvider, useConnectionState, type RealtimeConfig } from '@qwik-realtime/qwik';
import { Counter } from '../kit/counter';
import { DemoFrame } from '../kit/demo-frame';
import { PriceItem } from '../kit/price-item';
import { FaultBar, FAULTS } from '../kit/fault-bar';
import { StateLog } from '../kit/state-log';
import { transportsOf } from '../kit/transports';

/** Props of {@link BackoffDemo}. */
export interface BackoffDemoProps {
  baseMs: number;
  capMs: number;
}

const Attempts = component$<{ config: RealtimeConfig }>((props) => {
  const stateSig = useConnectionState({ strategy: 'document-ready', config: props.config });
  const delaySig = useComputed$(() => {
    const { nextRetryAt } = stateSig.value;
    return nextRetryAt === null ? 0 : Math.max(0, nextRetryAt - Date.now());
  });
  return (
    <>
      <div class="counters">
        <Counter name="attempt" label="Attempt" value={stateSig.value.attempt} />
        <Counter name="delay" label="Next delay (ms)" value={Math.round(delaySig.value)} />
      </div>
      <StateLog stateSig={stateSig} label="Reconnect attempts" />
    </>
  );
});

/**
 * Reconnect with exponential backoff and full jitter: each delay is random in [0, min(cap, base·2^attempt)],
 * so a crowd of clients does not reconnect in lockstep.
 */
export const BackoffDemo = component$<BackoffDemoProps>((props) => {
  const config: RealtimeConfig = { url: '/realtime', transports: transportsOf(['websocket']), options: { backoff: { baseMs: props.baseMs, capMs: props.capMs } } };
  return (
    <RealtimeProvider url={config.url} transports={config.transports} options={config.options}>
      <DemoFrame
        title="Reconnect with backoff and jitter"
        explain={`Drop connections: the server says "disconnected" (retry now), so the client reconnects at once. Stop the server for 8 s: every attempt fails and the delay grows — random up to min(${props.capMs} ms, ${props.baseMs} ms × 2^attempt) — until the server is back. The attempt counter resets only once a connection stayed up for a while.`}
      >
        <ConnectionStatus />
        <FaultBar buttons={[FAULTS.drop, FAULTS.down]} />
        <Attempts config={config} />
        <LiveFeed topic="prices:BTC" limit={3} history={3} item={PriceItem} aria-label="prices:BTC ticks" />
      </DemoFrame>
    </RealtimeProvider>
  );
});
