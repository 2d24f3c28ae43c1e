import type { Meta, StoryObj } from 'storybook-framework-qwik';
import { ResumeDedup, type ResumeDedupProps } from '../demos/resume-dedup';

const meta: Meta<ResumeDedupProps> = {
  title: 'Patterns/Resume and dedup',
  component: ResumeDedup,
  tags: ['autodocs'],
  args: { transport: 'websocket' },
  argTypes: { transport: { control: 'inline-radio', options: ['websocket', 'sse', 'fetch-sse', 'long-poll'] } },
  parameters: {
    docs: {
      description: {
        component:
          'The client remembers each topic\'s position (offset + epoch) and resubscribes "since" it after every reconnect; a bounded window of recent ids drops duplicates. The counters prove it: missing 0, duplicates 0, whatever you break.',
      },
    },
  },
};
export default meta;

type Story = StoryObj<ResumeDedupProps>;

/** Over WebSocket; switch the transport in Controls. */
export const WebSocket: Story = {};

/** The same over long-poll, where a lost answer is polled again with the same cursor. */
export const LongPoll: Story = { name: 'Long-poll', args: { transport: 'long-poll' } };
