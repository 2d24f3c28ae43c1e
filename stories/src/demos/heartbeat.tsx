import { component$ } from '@builder.io/qwik';
import { ConnectionStatus, LiveFeed, RealtimeProvider, useConnectionState } from '@qwik-realtime/qwik';
import { DemoFrame } from '../kit/demo-frame';
import { FaultBar, FAULTS } from '../kit/fault-bar';
import { ServerView } from '../kit/server-view';
import { StateLog } from '../kit/state-log';
import { useStandInStats } from '../kit/use-stats';
import { transportsOf } from '../kit/transports';

/** Props of {@link HeartbeatDemo}. */
export interface HeartbeatDemoProps {
  transport: 'websocket' | 'sse' | 'fetch-sse';
  /** Added to the server's heartbeat interval before the connection counts as dead, ms. */
  graceMs: number;
}

const Log = component$(() => {
  const stateSig = useConnectionState({ strategy: 'document-ready' });
  return <StateLog stateSig={stateSig} label="Connection log" />;
});

/** Heartbeat loss: the server keeps the socket open but goes quiet; the client's watchdog notices. */
export const HeartbeatDemo = component$<HeartbeatDemoProps>((props) => {
  const statsSig = useStandInStats();
  const heartbeat = statsSig.value?.heartbeatMs;
  return (
    <RealtimeProvider url="/realtime" transports={transportsOf([props.transport])} options={{ heartbeatGraceMs: props.graceMs }}>
      <DemoFrame
        title="Heartbeat loss"
        explain={`Go silent: the server keeps the connection open but stops sending anything — no data, no heartbeat (a hung server or a half-dead proxy). The TCP socket never errors, so only the client's watchdog can tell: after the announced heartbeat (${heartbeat ?? '…'} ms) plus ${props.graceMs} ms of grace it gives up and reconnects. Speak again to let the next attempt through.`}
      >
        <ConnectionStatus />
        <FaultBar buttons={[FAULTS.silent, FAULTS.speak]} />
        <div class="panel">
          <ServerView stats={statsSig.value} />
        </div>
        <Log />
        <LiveFeed topic="sequence" limit={3} aria-label="sequence ticks" />
      </DemoFrame>
    </RealtimeProvider>
  );
});
