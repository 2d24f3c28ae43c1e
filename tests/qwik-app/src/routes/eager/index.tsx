import { component$ } from '@builder.io/qwik';
import { LiveFeed } from '@qwik-realtime/qwik';

/** The same feed below the fold, but with `strategy="document-ready"`: it connects at load. */
export default component$(() => (
  <>
    <h1>Eager feed</h1>
    <div style={{ height: '3000px' }}>scroll down</div>
    <LiveFeed topic="e2e-eager" strategy="document-ready" history={2} aria-label="eager feed" />
  </>
));
