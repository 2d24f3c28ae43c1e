import { component$ } from '@builder.io/qwik';

export default component$(() => <h1 id="other">Another page, nothing live here</h1>);
