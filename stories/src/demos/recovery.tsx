import { $, component$, useSignal, useTask$ } from '@builder.io/qwik';
import { ConnectionStatus, RealtimeProvider, useSubscription$ } from '@qwik-realtime/qwik';
import type { SequenceTick } from '../../stand-in-broker/feeds';
import { Counter } from '../kit/counter';
import { DemoFrame } from '../kit/demo-frame';
import { FaultBar, FAULTS } from '../kit/fault-bar';
import { ServerView } from '../kit/server-view';
import { countSequence, EMPTY_TOTALS } from '../kit/sequence-check';
import { useStandInStats } from '../kit/use-stats';
import { transportsOf } from '../kit/transports';

const Sequence = component$<{ generation: number; onReload$: () => void }>((props) => {
  const totalsSig = useSignal(EMPTY_TOTALS);
  // Mirrors the hook's recoveredSig for the message callback (which cannot capture the hook's own result).
  const gapAnnouncedSig = useSignal(false);
  const { recoveredSig } = useSubscription$<SequenceTick>(
    (message) => {
      totalsSig.value = countSequence(totalsSig.value, message.data.n, gapAnnouncedSig.value);
    },
    { topic: 'sequence', history: 5, strategy: 'document-ready' },
  );
  useTask$(({ track }) => {
    if (!track(() => recoveredSig.value)) gapAnnouncedSig.value = true;
  });
  const totals = totalsSig.value;
  return (
    <div class="panel" data-generation={props.generation}>
      <div class="counters">
        <Counter name="received" label="Received" value={totals.received} />
        <Counter name="last" label="Last n" value={totals.last} />
        <Counter name="missing" label="Silently missing" value={totals.missing} bad />
        <Counter name="lost" label="Lost, and told so" value={totals.lostAcknowledged} />
      </div>
      {recoveredSig.value ? (
        <p data-recovered="true">Resumes so far recovered everything.</p>
      ) : (
        <div class="banner" role="alert" data-recovered="false">
          The server restarted and lost its history: <code>recovered: false</code>. Messages after n={totals.last - totals.lostAcknowledged}{' '}
          could not be replayed, so this view is incomplete.{' '}
          <button type="button" onClick$={props.onReload$}>
            Reload
          </button>
        </div>
      )}
    </div>
  );
});

/** Recovery impossible: a restarted memory broker has a new epoch, so resuming says `recovered: false`. */
export const RecoveryDemo = component$(() => {
  const generationSig = useSignal(1);
  const statsSig = useStandInStats();
  const reload = $(() => {
    generationSig.value++;
  });
  return (
    <RealtimeProvider url="/realtime" transports={transportsOf(['websocket'])}>
      <DemoFrame
        title="Recovery impossible"
        explain="Restart the server: the memory broker comes back empty with a new epoch. The client resubscribes since its old position, and the hub answers recovered: false instead of pretending nothing was lost. The app shows it and offers to reload (a fresh subscription with the last 5 messages)."
      >
        <ConnectionStatus />
        <FaultBar buttons={[FAULTS.restart, FAULTS.drop]} />
        <div class="panel">
          <ServerView stats={statsSig.value} />
        </div>
        <Sequence key={generationSig.value} generation={generationSig.value} onReload$={reload} />
      </DemoFrame>
    </RealtimeProvider>
  );
});
