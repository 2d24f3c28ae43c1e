import type { Meta, StoryObj } from 'storybook-framework-qwik';
import { HighRateDemo, type HighRateDemoProps } from '../demos/high-rate';

const meta: Meta<HighRateDemoProps> = {
  title: 'Patterns/High-rate ticker',
  component: HighRateDemo,
  tags: ['autodocs'],
  args: { rate: 1000 },
  argTypes: { rate: { control: { type: 'range', min: 1, max: 10000, step: 100 } } },
  parameters: {
    docs: {
      description: {
        component:
          'Inbound messages are coalesced and applied at most once per animation frame; `limit` bounds every list. Raise the rate in Controls and watch frames per second.',
      },
    },
  },
};
export default meta;

/** 1000 ticks per second per symbol. */
export const Ticker: StoryObj<HighRateDemoProps> = { name: '1000 msg/s per symbol' };
