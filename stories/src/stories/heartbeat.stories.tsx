import type { Meta, StoryObj } from 'storybook-framework-qwik';
import { HeartbeatDemo, type HeartbeatDemoProps } from '../demos/heartbeat';

const meta: Meta<HeartbeatDemoProps> = {
  title: 'Patterns/Heartbeat loss',
  component: HeartbeatDemo,
  tags: ['autodocs'],
  args: { transport: 'websocket', graceMs: 1000 },
  argTypes: {
    transport: { control: 'inline-radio', options: ['websocket', 'sse', 'fetch-sse'] },
    graceMs: { control: { type: 'number', min: 0, step: 500 } },
  },
  parameters: {
    docs: {
      description: {
        component:
          'The hub announces its heartbeat interval in `hello` and pings at that rate. The client arms a watchdog for interval + `heartbeatGraceMs` (default 5 s), and also checks wall-clock expiry when the tab becomes visible or the network comes back.',
      },
    },
  },
};
export default meta;

/** Go silent, watch the watchdog fire, speak again. */
export const SilentServer: StoryObj<HeartbeatDemoProps> = { name: 'Silent server' };
