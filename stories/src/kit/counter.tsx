import { component$ } from '@builder.io/qwik';

/** A labelled number that tests read by `data-counter`; `bad` highlights it when non-zero. */
export const Counter = component$<{ name: string; label: string; value: number; bad?: boolean }>((props) => (
  <div class={['counter', props.bad && props.value > 0 ? 'counter--bad' : '']}>
    <span class="counter__label" id={`counter-${props.name}`}>
      {props.label}
    </span>
    <output class="counter__value" data-counter={props.name} aria-labelledby={`counter-${props.name}`}>
      {props.value}
    </output>
  </div>
));
