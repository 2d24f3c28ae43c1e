import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadFeed } from '@qwik-realtime/qwik/server';
import type { AuthMode } from './auth-faults.js';
import type { FeedName } from './feeds.js';
import type { StandIn } from './stand-in.js';

/** Mount path of the fault-injection API, next to the hub's `/realtime`. */
export const CONTROL_PATH = '/realtime-control';

type Action = (stand: StandIn, query: URLSearchParams) => void | Promise<void>;

const flag = (query: URLSearchParams, name: string) => {
  const value = query.get(name);
  return value === null || value === '' || value === '1' || value === 'true' || value === 'on';
};

/** POST actions, each answered with the stats after the change. */
const actions: Record<string, Action> = {
  drop: (stand) => {
    stand.hub.disconnectAll('disconnected');
  },
  restart: (stand, query) => stand.restart(Number(query.get('downMs') ?? 0)),
  delay: (stand, query) => stand.broker.setFaults({ delayMs: Math.max(0, Number(query.get('ms') ?? 0) || 0) }),
  stall: (stand, query) => stand.broker.setFaults({ stalled: flag(query, 'on') }),
  duplicates: (stand, query) => stand.broker.setFaults({ duplicates: flag(query, 'on') }),
  auth: (stand, query) => {
    stand.auth.set((query.get('mode') ?? 'open') as AuthMode, query.has('expireMs') ? Number(query.get('expireMs')) : undefined);
    // Existing connections were admitted under the old rules: make them authenticate again.
    if (query.get('mode') !== 'open') stand.hub.disconnectAll('disconnected');
  },
  ws: (stand, query) => {
    stand.gate.setFaults({ refuseWebSocket: flag(query, 'refuse') });
    if (flag(query, 'refuse')) for (const session of stand.hub.sessions()) if (session.transport === 'ws') session.close('disconnected');
  },
  silent: (stand, query) => stand.gate.setFaults({ silent: flag(query, 'on') }),
  rate: (stand, query) =>
    stand.setRate((query.get('feed') ?? 'prices') as FeedName, Number(query.get('n') ?? 0), query.has('ttlMs') ? Number(query.get('ttlMs')) : undefined),
  reset: (stand) => stand.reset(),
};

/**
 * HTTP control API of the stand-in broker, for story controls and tests:
 * `POST /realtime-control/{drop|restart|delay|stall|duplicates|auth|ws|silent|rate|reset}?...`,
 * `GET /realtime-control/stats`, and `GET /realtime-control/seed?topic=&last=` (the `loadFeed` result a
 * `routeLoader$` would hand to an SSR-seeded feed). Every answer is the JSON stats snapshot. Returns false when the request
 * is not for the control API.
 */
export function createControlHandler(stand: StandIn) {
  return async function handleControl(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (!url.pathname.startsWith(`${CONTROL_PATH}/`)) return false;
    const name = url.pathname.slice(CONTROL_PATH.length + 1);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    req.resume();
    try {
      if (name === 'stats' && req.method === 'GET') return send(200, stand.stats()), true;
      // What a Qwik City routeLoader$ would return for SSR seeding, for stories rendered in the browser.
      if (name === 'seed' && req.method === 'GET') {
        const last = Math.min(200, Math.max(0, Number(url.searchParams.get('last') ?? 10) || 0));
        return send(200, await loadFeed(stand.hub, url.searchParams.get('topic') ?? 'prices:BTC', { history: last })), true;
      }
      const action = actions[name];
      if (!action) return send(404, { message: `@qwik-realtime/stories: unknown control ${name}` }), true;
      if (req.method !== 'POST') return send(405, { message: `@qwik-realtime/stories: use POST ${CONTROL_PATH}/${name}` }), true;
      await action(stand, url.searchParams);
      send(200, stand.stats());
    } catch (error) {
      send(400, { message: error instanceof Error ? error.message : String(error) });
    }
    return true;
  };
}
