import { render, type RenderOptions } from '@builder.io/qwik';
import Root from './root';

/** Starter client entry, required by Qwik's optimizer; Storybook does not use it. */
export default function (opts: RenderOptions) {
  return render(document, <Root />, opts);
}
