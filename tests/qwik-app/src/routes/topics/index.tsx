import { component$, useSignal } from '@builder.io/qwik';
import { ConnectionStatus, LiveFeed, RealtimeProvider, useChannel$, useSubscription$ } from '@qwik-realtime/qwik';
import { websocket } from '@qwik-realtime/qwik/transports/websocket';

/**
 * Reactive options: one topic signal drives a LiveFeed, a useChannel$ and a useSubscription$ (`#next` cycles
 * e2e-a -> e2e-b -> e2e-a, `#toggle` flips `enabled`), next to a refused topic and a topic that stays live.
 * Over a WebSocket: it subscribes and unsubscribes topics on the open connection (an EventSource cannot).
 */
export default component$(() => (
  <RealtimeProvider url="/realtime" transports={[websocket]}>
    <Topics />
  </RealtimeProvider>
));

const Topics = component$(() => {
  const topic = useSignal('e2e-a');
  const enabled = useSignal(true);
  const seen = useSignal<string[]>([]);
  const channel = useChannel$<string>(() => undefined, { topic: topic.value, enabled: enabled.value, strategy: 'document-ready' });
  const subscription = useSubscription$<string>(
    (message) => {
      seen.value = [...seen.value, `${message.topic}:${message.data}`];
    },
    { topic: topic.value, enabled: enabled.value, strategy: 'document-ready' },
  );
  return (
    <section>
      <button id="next" type="button" onClick$={() => (topic.value = topic.value === 'e2e-a' ? 'e2e-b' : 'e2e-a')}>
        next topic
      </button>
      <button id="toggle" type="button" onClick$={() => (enabled.value = !enabled.value)}>
        toggle
      </button>
      <LiveFeed topic={topic.value} enabled={enabled.value} strategy="document-ready" order="oldest-first" aria-label="picked" />
      <ol id="channel" data-topic-state={channel.topicStateSig.value.status}>
        {channel.messagesSig.value.map((message) => (
          <li key={message.id}>{`${message.topic}:${message.data}`}</li>
        ))}
      </ol>
      <p id="seen" data-topic-state={subscription.topicStatesSig.value[topic.value]?.status ?? 'idle'}>
        {seen.value.join(',')}
      </p>
      <ConnectionStatus topic="e2e-secret" strategy="document-ready" />
      <LiveFeed topic="e2e-secret" strategy="document-ready" aria-label="secret">
        <em q:slot="error">Sign in to see this.</em>
      </LiveFeed>
      <LiveFeed topic="e2e-open" strategy="document-ready" aria-label="open" />
    </section>
  );
});
