import { component$, Slot } from '@builder.io/qwik';

/** Title and one-paragraph explanation above a demo: what to press and what to watch. */
export const DemoFrame = component$<{ title: string; explain: string }>((props) => (
  <section class="demo" aria-label={props.title}>
    <h2>{props.title}</h2>
    <p class="explain">{props.explain}</p>
    <Slot />
  </section>
));
