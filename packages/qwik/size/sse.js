// The Qwik stack of the size budget: the hooks and components a live page uses, over SSE only.
export { ConnectionStatus, LiveFeed, RealtimeProvider, useSubscription$ } from '../lib/index.qwik.mjs';
export { sse } from '../lib/transports/sse.qwik.mjs';
