import type { Meta, StoryObj } from 'storybook-framework-qwik';
import { ChatDemo, type ChatDemoProps } from '../demos/chat';

const meta: Meta<ChatDemoProps> = {
  title: 'Patterns/Chat with useChannel$',
  component: ChatDemo,
  tags: ['autodocs'],
  args: { room: 'lobby' },
  argTypes: { room: { control: 'inline-radio', options: ['lobby', 'dev'] } },
  parameters: {
    docs: {
      description: {
        component:
          '`useChannel$(onMessage, { topic, limit })` returns `messagesSig` (bounded), `stateSig` and `publish$`, which resolves with the acknowledgement or rejects with a typed error. Publishing carries an idempotency id, so a retried publish is delivered once.',
      },
    },
  },
};
export default meta;

/** Type as alice or bob; both windows show the message with its offset. */
export const TwoUsers: StoryObj<ChatDemoProps> = { name: 'Two users, one room' };
