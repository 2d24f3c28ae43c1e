import type { Meta, StoryObj } from 'storybook-framework-qwik';
import { LazyDemo } from '../demos/lazy';

const meta: Meta = {
  title: 'Patterns/Lazy connect',
  component: LazyDemo,
  tags: ['autodocs'],
  parameters: {
    docs: {
      description: {
        component:
          'Live components connect from `useVisibleTask$` with the `intersection-observer` strategy by default: nothing connects (and, in a Qwik City app, none of the library\'s code loads) until the component is on screen. Use `strategy="document-ready"` to connect at load. Qwik applies the strategy to server-rendered components only; client-rendered ones (all of this Storybook) run their visible tasks at once, which this story works around with a small `useWhenVisible` hook that mounts the feed on intersection.',
      },
    },
  },
};
export default meta;

/** Scroll down to open the connection. */
export const BelowTheFold: StoryObj = { name: 'Below the fold' };
