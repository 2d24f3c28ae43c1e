import { component$ } from '@builder.io/qwik';

/**
 * Qwik's optimizer needs an app root even for a library (`Qwik input "./src/root" not found` otherwise);
 * Storybook never renders it.
 */
export default component$(() => (
  <>
    <head>
      <meta charset="utf-8" />
      <title>qwik-realtime stories</title>
    </head>
    <body>
      <p>Run `pnpm storybook` to see the stories.</p>
    </body>
  </>
));
