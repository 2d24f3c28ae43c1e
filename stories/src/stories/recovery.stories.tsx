import type { Meta, StoryObj } from 'storybook-framework-qwik';
import { RecoveryDemo } from '../demos/recovery';

const meta: Meta = {
  title: 'Patterns/Recovery impossible',
  component: RecoveryDemo,
  tags: ['autodocs'],
  parameters: {
    docs: {
      description: {
        component:
          'When the history a client needs is gone (server restarted, trimmed, expired), the hub says `recovered: false` — never a partial replay presented as complete. `useSubscription$` exposes it as `recoveredSig`; the app tells the user and reloads.',
      },
    },
  },
};
export default meta;

/** Restart the server, see `recovered: false`, then reload. */
export const RestartServer: StoryObj = { name: 'Restart -> recovered: false -> reload' };
