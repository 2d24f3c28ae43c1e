import { component$ } from '@builder.io/qwik';
import type { Meta, StoryObj } from 'storybook-framework-qwik';

const Hello = component$(() => <p>hello</p>);
const meta: Meta = { title: 'Hello', component: Hello };
export default meta;
export const Default: StoryObj = {};
