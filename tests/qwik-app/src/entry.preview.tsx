import { createQwikCity } from '@builder.io/qwik-city/middleware/node';
import qwikCityPlan from '@qwik-city-plan';
import render from './entry.ssr';

/** What `vite preview` serves: the production build, rendered by the SSR bundle. */
export default createQwikCity({ render, qwikCityPlan });
