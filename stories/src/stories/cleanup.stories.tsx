import type { Meta, StoryObj } from 'storybook-framework-qwik';
import { CleanupDemo } from '../demos/cleanup';

const meta: Meta = {
  title: 'Patterns/Cleanup on unmount',
  component: CleanupDemo,
  tags: ['autodocs'],
  parameters: {
    docs: {
      description: {
        component:
          'Hooks release their subscription in the visible task\'s `cleanup` (unmount, client-side navigation). The shared client is reference-counted and closes shortly after the last user leaves, so a quick remount reuses it.',
      },
    },
  },
};
export default meta;

/** Hide the feeds; the server's connection count drops to 0. */
export const ToggleFeeds: StoryObj = { name: 'Toggle: connections go to 0' };
