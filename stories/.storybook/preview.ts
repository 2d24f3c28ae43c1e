import { render as renderQwik } from '@builder.io/qwik';
import type { Preview } from 'storybook-framework-qwik';
import '../src/kit/kit.css';

const cleanups = new WeakMap<Element, () => void>();

/**
 * The framework's renderToCanvas drops the old story's DOM without running Qwik's cleanups, which would
 * leave the previous story's connections open when switching stories (the preview iframe stays). This one
 * remembers each canvas's cleanup and runs it before that canvas shows something else.
 */
export const renderToCanvas: Preview['renderToCanvas'] = async ({ storyFn, showMain }, canvasElement) => {
  cleanups.get(canvasElement)?.();
  cleanups.delete(canvasElement);
  const container = document.createElement('div');
  canvasElement.replaceChildren(container);
  const { cleanup } = await renderQwik(container, storyFn());
  cleanups.set(canvasElement, cleanup);
  showMain();
};

const preview: Preview = {
  parameters: {
    controls: { expanded: true },
    layout: 'padded',
    options: { storySort: { order: ['Introduction', 'Components', 'Patterns'] } },
  },
};

export default preview;
