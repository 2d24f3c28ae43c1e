import { $, component$, useSignal, useVisibleTask$ } from '@builder.io/qwik';
import type { TransportName } from '@qwik-realtime/core';
import { ConnectionStatus, RealtimeProvider, useSubscription$ } from '@qwik-realtime/qwik';
import type { SequenceTick } from '../../stand-in-broker/feeds';
import { control } from '../kit/control';
import { Counter } from '../kit/counter';
import { DemoFrame } from '../kit/demo-frame';
import { FaultBar, FAULTS } from '../kit/fault-bar';
import { countSequence, EMPTY_TOTALS } from '../kit/sequence-check';
import { useStandInStats } from '../kit/use-stats';

/** Props of {@link ResumeDedup}. */
export interface ResumeDedupProps {
  transport: TransportName;
}

const SequenceCounters = component$(() => {
  const totalsSig = useSignal(EMPTY_TOTALS);
  const chaosSig = useSignal(false);
  const dropsSig = useSignal(0);
  const statsSig = useStandInStats();
  const { recoveredSig } = useSubscription$<SequenceTick>(
    (message) => {
      totalsSig.value = countSequence(totalsSig.value, message.data.n, false);
    },
    { topic: 'sequence', strategy: 'document-ready' },
  );

  // Chaos mode drops every connection once a second, from the browser, through the control API.
  useVisibleTask$(({ track, cleanup }) => {
    if (!track(() => chaosSig.value)) return;
    const timer = setInterval(() => {
      void control('drop').then(() => dropsSig.value++);
    }, 1000);
    cleanup(() => clearInterval(timer));
  });

  const toggleChaos = $(() => {
    chaosSig.value = !chaosSig.value;
  });
  const totals = totalsSig.value;
  return (
    <>
      <div class="row">
        <ConnectionStatus />
        <button type="button" aria-pressed={chaosSig.value} onClick$={toggleChaos}>
          {chaosSig.value ? 'Stop chaos' : 'Chaos: drop every second'}
        </button>
      </div>
      <FaultBar buttons={[FAULTS.drop, FAULTS.duplicatesOn, FAULTS.duplicatesOff]} />
      <div class="counters" aria-label="Sequence counters">
        <Counter name="received" label="Received" value={totals.received} />
        <Counter name="last" label="Last n" value={totals.last} />
        <Counter name="missing" label="Missing" value={totals.missing} bad />
        <Counter name="duplicates" label="Duplicates shown" value={totals.duplicates} bad />
        <Counter name="drops" label="Chaos drops" value={dropsSig.value} />
        <Counter name="injected" label="Duplicates sent by server" value={statsSig.value?.duplicatesInjected ?? 0} />
      </div>
      <p data-recovered={recoveredSig.value ? 'true' : 'false'}>
        Every resume so far: {recoveredSig.value ? 'recovered (nothing lost)' : 'NOT recovered'}
      </p>
    </>
  );
});

/** Resume and dedup over the `sequence` topic (`n` grows by one per message, ten per second). */
export const ResumeDedup = component$<ResumeDedupProps>((props) => (
  <RealtimeProvider url="/realtime" transports={[props.transport]}>
    <DemoFrame
      title="Resume and dedup"
      explain="The sequence feed numbers its messages 1, 2, 3… Drop the connection mid-stream (or turn on chaos): the client resubscribes since its last position and the hub replays exactly what was missed. Send duplicates: the broker delivers every message twice and the client drops the copies by id. Missing and duplicates stay 0."
    >
      <SequenceCounters />
    </DemoFrame>
  </RealtimeProvider>
));
