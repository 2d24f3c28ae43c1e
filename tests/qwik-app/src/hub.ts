import { createHub, type Hub } from '@qwik-realtime/server';

const KEY = Symbol.for('@qwik-realtime/qwik-app.hub');

/**
 * The app's one hub. Vite loads its config and the SSR modules as separate module graphs, so the instance
 * is kept on `globalThis`: the plugin serving `/realtime` and the route loaders then share it.
 */
export function appHub(): Hub {
  const slot = globalThis as typeof globalThis & { [KEY]?: Hub };
  slot[KEY] ??= createHub({ heartbeatMs: 5000 });
  return slot[KEY];
}
