import type { FeedSeed } from '@qwik-realtime/qwik';
import type { Meta, StoryObj } from 'storybook-framework-qwik';
import type { PriceTick } from '../../stand-in-broker/feeds';
import { SeededDemo } from '../demos/seeded';

type Loaded = { seed: FeedSeed<PriceTick> | null };

const meta: Meta = {
  title: 'Patterns/SSR-seeded feed',
  component: SeededDemo,
  tags: ['autodocs'],
  parameters: {
    docs: {
      description: {
        component:
          '`loadFeed(hub, topic, { last })` (from `@qwik-realtime/qwik/server`) returns the newest messages and their position for a `routeLoader$`; pass it as `seed` to `<LiveFeed>` or `useChannel$`. The browser continues from that position.',
      },
    },
  },
};
export default meta;

/** Seeded with the last 10 BTC ticks, live after a 1.5 s "hydration" pause. */
export const Seeded: StoryObj = {
  name: 'Seed, then live with no gap',
  loaders: [
    async (): Promise<Loaded> => {
      try {
        const response = await fetch('/realtime-control/seed?topic=prices:BTC&last=10');
        const seed = (await response.json()) as FeedSeed<PriceTick>;
        // Let the ticker move on before the page goes live: those messages must be replayed, not lost.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        return { seed };
      } catch {
        return { seed: null };
      }
    },
  ],
  render: (_args, context) => <SeededDemo seed={(context.loaded as Loaded).seed} />,
};
