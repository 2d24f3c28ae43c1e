// The same stack over the default chain (WebSocket, SSE, long-poll).
export { ConnectionStatus, LiveFeed, RealtimeProvider, useSubscription$ } from '../lib/index.qwik.mjs';
export { defaultTransports } from '../lib/transports/default.qwik.mjs';
