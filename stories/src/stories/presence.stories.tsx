import type { Meta, StoryObj } from 'storybook-framework-qwik';
import { PresenceDemo, type PresenceDemoProps } from '../demos/presence';

const meta: Meta<PresenceDemoProps> = {
  title: 'Patterns/Presence with PresenceList',
  component: PresenceDemo,
  tags: ['autodocs'],
  args: {},
  argTypes: {
    only: { control: 'inline-radio', options: [undefined, 'alice', 'bob'] },
    transport: { control: 'inline-radio', options: [undefined, 'websocket', 'sse', 'fetch-sse', 'long-poll'] },
  },
  parameters: {
    docs: {
      description: {
        component:
          '`<PresenceList topic data item />` joins a topic\'s presence while visible and lists the members (`data-state`, `data-count`, `data-self`); `usePresence$` gives the same as signals. Members leave when their connection ends; the hub must allow `authorize(principal, \'presence\', topic)`.',
      },
    },
  },
};
export default meta;

/** Alice and Bob, each on its own connection; Set away changes a member's data for everyone. */
export const TwoUsers: StoryObj<PresenceDemoProps> = { name: 'Two users, one room' };

/** The same over native EventSource: joins and leaves go through `POST /realtime/presence`, changes come as `event: presence`. */
export const OverSse: StoryObj<PresenceDemoProps> = { name: 'Two users over SSE', args: { transport: 'sse' } };

/** The same over long-poll: members are kept alive by the polls, changes arrive in the poll answers. */
export const OverLongPoll: StoryObj<PresenceDemoProps> = { name: 'Two users over long-poll', args: { transport: 'long-poll' } };
