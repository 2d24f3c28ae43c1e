import type { Meta, StoryObj } from 'storybook-framework-qwik';
import { BackoffDemo, type BackoffDemoProps } from '../demos/backoff';

const meta: Meta<BackoffDemoProps> = {
  title: 'Patterns/Reconnect with backoff',
  component: BackoffDemo,
  tags: ['autodocs'],
  args: { baseMs: 1000, capMs: 8000 },
  argTypes: { baseMs: { control: { type: 'number', min: 100, step: 100 } }, capMs: { control: { type: 'number', min: 1000, step: 1000 } } },
  parameters: {
    docs: {
      description: {
        component:
          'Exponential backoff with full jitter (`backoff: { baseMs, capMs }`, defaults 1 s and 30 s). "Retry now" codes (server drop, token expired) reconnect at once; failures back off; the attempt counter resets only after a connection stayed up for `minUptimeMs`.',
      },
    },
  },
};
export default meta;

/** Stop the server for 8 s and watch the attempt number and the randomized delay grow. */
export const Backoff: StoryObj<BackoffDemoProps> = { name: 'Attempts and delays' };
