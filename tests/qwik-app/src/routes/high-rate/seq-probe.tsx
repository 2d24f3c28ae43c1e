import { component$ } from '@builder.io/qwik';
import { useSubscription$ } from '@qwik-realtime/qwik';

/** What the probe records on `window.__probe` (read by the e2e tests and the bench). */
export interface ProbeRecord {
  count: number;
  duplicates: number;
  gaps: number;
  last: number;
  /** Publish-to-callback delays in ms (`Date.now() - data.t`), one per message. */
  lags: number[];
  subscribed: number;
  unrecovered: number;
}

/**
 * Counts what `useSubscription$` delivers: a message whose `seq` is not the previous one plus one is a gap
 * (or, if not newer, a duplicate). Kept on `window`, not in signals, so the probe costs no rendering.
 */
export const SeqProbe = component$<{ topic: string }>(({ topic }) => {
  const { topicStatesSig, recoveredSig } = useSubscription$(
    (message) => {
      const data = message.data as { seq: number; t: number };
      const scope = window as unknown as { __probe?: ProbeRecord };
      const probe = (scope.__probe ??= { count: 0, duplicates: 0, gaps: 0, last: 0, lags: [], subscribed: 0, unrecovered: 0 });
      if (data.seq <= probe.last) probe.duplicates++;
      else if (data.seq !== probe.last + 1) probe.gaps++;
      probe.last = Math.max(probe.last, data.seq);
      probe.count++;
      probe.lags.push(Date.now() - data.t);
    },
    { topic, strategy: 'document-ready' },
  );
  return (
    <p id="probe" data-status={topicStatesSig.value[topic]?.status ?? 'subscribing'} data-recovered={String(recoveredSig.value)}>
      probe on {topic}
    </p>
  );
});
