import { renderToStream, type RenderToStreamOptions } from '@builder.io/qwik/server';
import Root from './root';

/** Starter SSR entry, required by Qwik's optimizer; Storybook does not use it. */
export default function (opts: RenderToStreamOptions) {
  return renderToStream(<Root />, opts);
}
