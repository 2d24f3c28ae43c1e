import { component$ } from '@builder.io/qwik';
import type { Envelope } from '@qwik-realtime/core/protocol';
import { ConnectionStatus, RealtimeProvider, useChannel, type FeedSeed } from '@qwik-realtime/qwik';
import type { PriceTick } from '../../stand-in-broker/feeds';
import { Counter } from '../kit/counter';
import { DemoFrame } from '../kit/demo-frame';
import { transportsOf } from '../kit/transports';

/** Offsets that do not follow their predecessor by exactly one (a gap or a repeat). */
export function discontinuities(messages: Envelope[]): number {
  let count = 0;
  for (let i = 1; i < messages.length; i++) if ((messages[i] as Envelope).offset !== (messages[i - 1] as Envelope).offset + 1) count++;
  return count;
}

const SeededList = component$<{ seed: FeedSeed<PriceTick> }>((props) => {
  const { messagesSig } = useChannel<PriceTick>({ topic: 'prices:BTC', seed: props.seed, limit: 40, strategy: 'document-ready' });
  const seededIds = new Set(props.seed.messages.map((message) => message.id));
  const messages = messagesSig.value;
  const live = messages.filter((message) => !seededIds.has(message.id)).length;
  const duplicates = messages.length - new Set(messages.map((message) => message.id)).size;
  return (
    <>
      <div class="counters" aria-label="Seed counters">
        <Counter name="seeded" label="Seeded (server-rendered)" value={props.seed.messages.length} />
        <Counter name="live" label="Live since" value={live} />
        <Counter name="gaps" label="Gaps" value={discontinuities(messages)} bad />
        <Counter name="duplicates" label="Duplicates" value={duplicates} bad />
      </div>
      <ul data-topic="prices:BTC" aria-label="prices:BTC, seeded then live">
        {messages.map((message) => (
          <li key={message.id} data-offset={message.offset} data-seeded={seededIds.has(message.id) ? 'true' : 'false'}>
            #{message.offset} BTC {message.data.price.toFixed(2)} {seededIds.has(message.id) ? '· seeded' : '· live'}
          </li>
        ))}
      </ul>
    </>
  );
});

/**
 * SSR-seeded feed. In an app, `routeLoader$(() => loadFeed(hub, topic, { history: 10 }))` renders the seed on
 * the server; here the story's loader fetches the same `loadFeed` result from the stand-in, then waits a
 * moment (as a page would before it becomes interactive) so that messages are published in between.
 */
export const SeededDemo = component$<{ seed: FeedSeed<PriceTick> | null }>((props) => (
  <RealtimeProvider url="/realtime" transports={transportsOf(['websocket'])}>
    <DemoFrame
      title="SSR-seeded feed"
      explain="The first items come from loadFeed(hub, 'prices:BTC', { history: 10 }) — what a routeLoader$ renders on the server — together with their position. Once live, the channel resumes from exactly that position: the messages published meanwhile are replayed, then live ones follow. No gap, no duplicate, no flash of empty."
    >
      <ConnectionStatus strategy="document-ready" />
      {props.seed ? <SeededList seed={props.seed} /> : <p>No seed (the stand-in broker did not answer).</p>}
    </DemoFrame>
  </RealtimeProvider>
));
