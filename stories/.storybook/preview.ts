import { render as renderQwik } from '@builder.io/qwik';
import type { Preview } from 'storybook-framework-qwik';
import { runStoryCleanups } from '../src/kit/story-cleanup';
import '../src/kit/kit.css';

let cleanupPrevious: (() => void) | undefined;

/**
 * The framework's renderToCanvas drops the old story's DOM without running Qwik's cleanups, which would
 * leave the previous story's connections open when switching stories; this one keeps and calls them.
 */
export const renderToCanvas: Preview['renderToCanvas'] = async ({ storyFn, showMain }, canvasElement) => {
  cleanupPrevious?.();
  cleanupPrevious = undefined;
  runStoryCleanups();
  const container = document.createElement('div');
  canvasElement.replaceChildren(container);
  const { cleanup } = await renderQwik(container, storyFn());
  cleanupPrevious = cleanup;
  showMain();
};

const preview: Preview = {
  parameters: {
    controls: { expanded: true },
    layout: 'padded',
  },
};

export default preview;
