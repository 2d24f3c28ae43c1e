import { $, component$, useSignal, useVisibleTask$ } from '@builder.io/qwik';
import type { TransportName } from '@qwik-realtime/core';
import { ConnectionStatus, RealtimeProvider, useSubscription$ } from '@qwik-realtime/qwik';
import type { SequenceTick } from '../../stand-in-broker/feeds';
import { control } from '../kit/control';
import { Counter } from '../kit/counter';
import { DemoFrame } from '../kit/demo-frame';
import { FaultBar, FAULTS } from '../kit/fault-bar';
import { countDropped, EMPTY_DEDUP } from '../kit/dedup-check';
import { countSequence, EMPTY_TOTALS } from '../kit/sequence-check';
import { useStandInStats } from '../kit/use-stats';
import { transportsOf } from '../kit/transports';

/** Props of {@link ResumeDedup}. */
export interface ResumeDedupProps {
  transport: TransportName;
}

/** How many of the latest messages the list shows. */
const LAST_SHOWN = 8;

const SequenceCounters = component$(() => {
  const totalsSig = useSignal(EMPTY_TOTALS);
  const dedupSig = useSignal(EMPTY_DEDUP);
  const lastSig = useSignal<{ id: string; n: number }[]>([]);
  const chaosSig = useSignal(false);
  const dropsSig = useSignal(0);
  const statsSig = useStandInStats();
  const { recoveredSig } = useSubscription$<SequenceTick>(
    (message) => {
      totalsSig.value = countSequence(totalsSig.value, message.data.n, false);
      dedupSig.value = countDropped(dedupSig.value, message);
      lastSig.value = [...lastSig.value.slice(-(LAST_SHOWN - 1)), { id: message.id, n: message.data.n }];
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
        <Counter name="injected" label="Copies appended by the server" value={statsSig.value?.duplicatesInjected ?? 0} />
        <Counter name="dropped" label="Copies dropped by the client" value={dedupSig.value.dropped} />
      </div>
      <ol class="log" aria-label="Last messages shown">
        {lastSig.value.map((item, index) => (
          // Keyed by place, not by id: a repeated id must show up as a repeated row.
          <li key={index} data-id={item.id} data-n={item.n}>
            n = {item.n}
          </li>
        ))}
      </ol>
      <p data-recovered={recoveredSig.value ? 'true' : 'false'}>
        Every resume so far: {recoveredSig.value ? 'recovered (nothing lost)' : 'NOT recovered'}
      </p>
    </>
  );
});

/** Resume and dedup over the `sequence` topic (`n` grows by one per message, ten per second). */
export const ResumeDedup = component$<ResumeDedupProps>((props) => (
  <RealtimeProvider url="/realtime" transports={transportsOf([props.transport])}>
    <DemoFrame
      title="Resume and dedup"
      explain="The sequence feed numbers its messages 1, 2, 3… Drop the connection mid-stream (or turn on chaos): the client resubscribes since its last position and the hub replays exactly what was missed. Send duplicates: every message is appended twice, as a publisher retry without an idempotency key does — two offsets, one id — so the copies reach the client, which drops them by id (counted from the offsets it skipped while n stayed contiguous). Missing and duplicates shown stay 0."
    >
      <SequenceCounters />
    </DemoFrame>
  </RealtimeProvider>
));
