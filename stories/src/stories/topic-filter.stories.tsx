import type { Meta, StoryObj } from 'storybook-framework-qwik';
import { TopicFilter, type TopicFilterProps } from '../demos/topic-filter';

const meta: Meta<TopicFilterProps> = {
  title: 'Patterns/Topic filtering',
  component: TopicFilter,
  tags: ['autodocs'],
  args: { symbol: 'BTC' },
  argTypes: { symbol: { control: 'inline-radio', options: ['BTC', 'ETH'] } },
  parameters: {
    docs: { description: { component: 'Subscribe to exactly the topic you render (`useSubscription$(fn, { topic })`); the hub sends nothing else over the connection.' } },
  },
};
export default meta;

/** Only `prices:BTC` (switch to ETH in Controls). */
export const OneSymbol: StoryObj<TopicFilterProps> = { name: 'One symbol' };
