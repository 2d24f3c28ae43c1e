import { component$ } from '@builder.io/qwik';
import type { Meta, StoryObj } from 'storybook-framework-qwik';
import { ConnectionStatus, LiveFeed, RealtimeProvider } from '@qwik-realtime/qwik';
import { workerHost } from '@qwik-realtime/qwik/worker';
import { Counter } from '../kit/counter';
import { DemoFrame } from '../kit/demo-frame';
import { PriceItem } from '../kit/price-item';
import { transportsOf } from '../kit/transports';
import { useStandInStats } from '../kit/use-stats';

/** One "tab": a feed whose connection lives in the worker host (a SharedWorker shared by every tab). */
const WorkerTab = component$(() => (
  <RealtimeProvider url="/realtime" transports={transportsOf(['websocket'])} host={workerHost}>
    <ConnectionStatus strategy="document-ready" />
    <LiveFeed topic="prices:BTC" limit={8} item={PriceItem} strategy="document-ready" aria-label="prices:BTC ticks" />
  </RealtimeProvider>
));

/** Two iframes showing {@link WorkerTab}, and what the stand-in broker sees: one connection for both. */
const TwoTabs = component$(() => {
  const statsSig = useStandInStats();
  const src = 'iframe.html?id=patterns-worker-host--tab&viewMode=story';
  return (
    <DemoFrame
      title="Worker host: two tabs, one connection"
      explain='Both frames render a feed under <RealtimeProvider host={workerHost}>. Their connection runs in one SharedWorker, so the stand-in counts a single connection for both; each frame gets its batches once per animation frame. Close one frame (or reload it) and the other keeps going.'
    >
      <div class="counters" aria-label="What the server sees">
        <Counter name="connections" label="Connections at the stand-in" value={statsSig.value?.connections.total ?? 0} />
        <Counter name="subscribers" label="Subscribers of prices:BTC" value={statsSig.value?.topics['prices:BTC'] ?? 0} />
      </div>
      <div class="row" style={{ alignItems: 'flex-start' }}>
        <iframe title="first tab" src={src} width={360} height={360} />
        <iframe title="second tab" src={src} width={360} height={360} />
      </div>
    </DemoFrame>
  );
});

const meta: Meta = {
  title: 'Patterns/Worker host',
  tags: ['autodocs'],
  parameters: {
    docs: {
      description: {
        component:
          'The connection host of `@qwik-realtime/core/host`: one connection per browser, shared by every tab through a SharedWorker; subscriptions counted per tab and released when a tab closes or stops answering pings.',
      },
    },
  },
};
export default meta;

/** One tab's feed through the worker host (the page each iframe of "Two tabs" shows). */
export const Tab: StoryObj = { name: 'One tab', render: () => <WorkerTab /> };

/** Two iframes, one connection. */
export const TwoTabsSharing: StoryObj = { name: 'Two tabs, one connection', render: () => <TwoTabs /> };
