import type { Meta, StoryObj } from 'storybook-framework-qwik';
import { StatusTour } from '../demos/status-tour';

const meta: Meta<{ labels?: Record<string, string> }> = {
  title: 'Components/ConnectionStatus',
  component: StatusTour,
  tags: ['autodocs'],
  parameters: {
    docs: {
      description: {
        component:
          '`<ConnectionStatus />` is an accessible badge (`role="status"`, `aria-live="polite"`) for the page\'s shared connection: Connecting…, Live, Reconnecting in N s, Offline, Error. `data-state` carries the kind for styling; slots named after a kind show only in that state.',
      },
    },
  },
};
export default meta;

type Story = StoryObj<{ labels?: Record<string, string> }>;

/** Drive the badge through every state with the fault buttons; the log below records each transition. */
export const EveryState: Story = { name: 'Every state, with countdown' };

/** The same badge with custom texts (`labels`), e.g. for another language. */
export const CustomLabels: Story = {
  name: 'Custom labels',
  args: { labels: { connecting: 'Verbinden…', live: 'Verbunden', reconnecting: 'Neuer Versuch in {s} s', offline: 'Offline', error: 'Fehler: {message}' } },
};
