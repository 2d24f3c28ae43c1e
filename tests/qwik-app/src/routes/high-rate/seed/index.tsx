import { component$, useSignal, useVisibleTask$ } from '@builder.io/qwik';
import { useLocation } from '@builder.io/qwik-city';
import type { ProbeRecord } from '../seq-probe';

interface Message {
  id: string;
  topic: string;
  data: { seq: number; t: number };
}

/**
 * The seed's LiveFeed pattern (/work/shared/seed.txt), as a baseline for the bench: one EventSource on the
 * hub's SSE endpoint and the whole array replaced per message. Records `window.__probe` like the probe.
 */
export default component$(() => {
  const topic = useLocation().url.searchParams.get('topic') ?? 'high-rate';
  const messages = useSignal<Message[]>([]);
  const connected = useSignal(false);

  // eslint-disable-next-line qwik/no-use-visible-task -- the pattern under test connects in a visible task.
  useVisibleTask$(
    ({ cleanup }) => {
      const probe: ProbeRecord = { count: 0, duplicates: 0, gaps: 0, last: 0, lags: [], subscribed: 0, unrecovered: 0 };
      (window as unknown as { __probe: ProbeRecord }).__probe = probe;
      const eventSource = new EventSource(`/realtime/sse?topic=${encodeURIComponent(topic)}`);
      eventSource.onopen = () => {
        connected.value = true;
      };
      eventSource.onmessage = (event) => {
        const msg = JSON.parse(event.data) as Message;
        if (msg.data.seq <= probe.last) probe.duplicates++;
        else if (msg.data.seq !== probe.last + 1) probe.gaps++;
        probe.last = Math.max(probe.last, msg.data.seq);
        probe.count++;
        probe.lags.push(Date.now() - msg.data.t);
        messages.value = [msg, ...messages.value.slice(0, 49)];
      };
      eventSource.onerror = () => {
        connected.value = false;
      };
      cleanup(() => {
        eventSource.close();
        connected.value = false;
      });
    },
    { strategy: 'document-ready' },
  );

  return (
    <div>
      <p role="status" data-state={connected.value ? 'live' : 'connecting'}>
        {connected.value ? 'Connected' : 'Disconnected'}
      </p>
      <ul aria-label="high-rate feed">
        {messages.value.map((msg) => (
          <li key={msg.id}>
            {msg.topic}: {JSON.stringify(msg.data)}
          </li>
        ))}
      </ul>
    </div>
  );
});
