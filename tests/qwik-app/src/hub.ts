import { createHub, type Hub } from '@qwik-realtime/server';

const KEY = Symbol.for('@qwik-realtime/qwik-app.hub');

/**
 * The app's one hub. Vite loads its config and the SSR modules as separate module graphs, so the instance
 * is kept on `globalThis`: the plugin serving `/realtime` and the route loaders then share it.
 */
export function appHub(): Hub {
  const slot = globalThis as typeof globalThis & { [KEY]?: Hub };
  // Topics under `e2e-secret` are refused to subscribers: the e2e tests show a forbidden topic's error.
  slot[KEY] ??= createHub({ heartbeatMs: 5000, authorize: (_user, action, topic) => !(action === 'subscribe' && topic.startsWith('e2e-secret')) });
  return slot[KEY];
}
