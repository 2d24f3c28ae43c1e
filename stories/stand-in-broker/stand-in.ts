import { createHub } from '@qwik-realtime/server';
import type { Hub } from '@qwik-realtime/server';
import { createAuthFaults } from './auth-faults.js';
import type { AuthFaults, SeenToken, StandInPrincipal } from './auth-faults.js';
import { createFaultyBroker } from './faulty-broker.js';
import type { DeliveryFaults, FaultyBroker } from './faulty-broker.js';
import { DEFAULT_RATES, startFeeds } from './feeds.js';
import type { FeedName, Feeds } from './feeds.js';
import { createGate } from './gate.js';
import type { Gate, GateCounts, GateFaults } from './gate.js';

/** Options of {@link createStandIn}. */
export interface StandInOptions {
  /** Hub heartbeat, ms; short so that heartbeat loss is visible within seconds. @default 5000 */
  heartbeatMs?: number;
  /** Mount path of the hub. @default '/realtime' */
  path?: string;
  /** Messages kept per topic for resume. @default 5000 */
  historySize?: number;
  /** Initial feed rates (messages per second). @default DEFAULT_RATES */
  rates?: Partial<Record<FeedName, number>>;
}

/** A snapshot of the stand-in broker, as `GET /realtime-control/stats` returns it. Plain JSON. */
export interface StandInStats {
  epoch: string;
  heartbeatMs: number;
  /** Open connections as the hub counts them (`poll`: long-polls waiting now). */
  connections: { sse: number; ws: number; poll: number; total: number };
  /** Open HTTP streams / sockets as seen at the network edge. */
  sockets: GateCounts;
  /** Subscribers per topic. */
  topics: Record<string, number>;
  faults: DeliveryFaults & GateFaults & { auth: AuthFaults['mode'] };
  rates: Record<FeedName, number>;
  published: Record<string, number>;
  auth: { attempts: number; refused: number; seen: SeenToken[] };
  restarts: number;
  duplicatesInjected: number;
  wsRefused: number;
}

/** The stand-in broker: the real hub on a memory broker, plus scenario feeds and fault injection. */
export interface StandIn {
  readonly hub: Hub<StandInPrincipal>;
  readonly broker: FaultyBroker;
  readonly gate: Gate;
  readonly auth: AuthFaults;
  readonly feeds: Feeds;
  /** New memory broker (new epoch, history lost), every connection closed; refuses requests for `downMs`. */
  restart(downMs?: number): void;
  /** Set a feed's rate; with `ttlMs`, it falls back to the default unless set again in time (a lease). */
  setRate(feed: FeedName, perSecond: number, ttlMs?: number): void;
  /** Every fault off, default feed rates. */
  reset(): void;
  stats(): StandInStats;
  close(): Promise<void>;
}

/**
 * Create the stand-in broker. It is layered on the hub without forking it: the broker is wrapped
 * ({@link createFaultyBroker}), auth faults go through the hub's `authenticate` hook, and connection faults
 * through a gate in front of the hub's Node handlers ({@link createGate}).
 * @example
 * const stand = createStandIn({ heartbeatMs: 2000 });
 * stand.broker.setFaults({ duplicates: true });
 */
export function createStandIn(options: StandInOptions = {}): StandIn {
  const path = options.path ?? '/realtime';
  const heartbeatMs = options.heartbeatMs ?? 5000;
  const broker = createFaultyBroker({ historySize: options.historySize ?? 5000 });
  const auth = createAuthFaults();
  const gate = createGate(path);
  const hub = createHub<StandInPrincipal>({
    broker,
    path,
    heartbeatMs,
    // In "reject" mode a WebSocket without credentials waits for its auth frame; keep that wait short.
    authTimeoutMs: 3000,
    authenticate: (ctx) => auth.authenticate({ token: ctx.token, transport: ctx.transport }),
  });
  const feeds = startFeeds((topic, data) => hub.publish(topic, data));
  for (const [feed, rate] of Object.entries(options.rates ?? {})) feeds.setRate(feed as FeedName, rate);
  let upTimer: ReturnType<typeof setTimeout> | undefined;
  const rateLeases = new Map<FeedName, ReturnType<typeof setTimeout>>();
  const defaultRate = (feed: FeedName) => options.rates?.[feed] ?? DEFAULT_RATES[feed];
  const setRate = (feed: FeedName, perSecond: number, ttlMs?: number) => {
    feeds.setRate(feed, perSecond);
    clearTimeout(rateLeases.get(feed));
    rateLeases.delete(feed);
    if (ttlMs !== undefined && ttlMs > 0) {
      const lease = setTimeout(() => {
        rateLeases.delete(feed);
        feeds.setRate(feed, defaultRate(feed));
      }, ttlMs);
      lease.unref?.();
      rateLeases.set(feed, lease);
    }
  };

  const reset = () => {
    broker.setFaults({ delayMs: 0, stalled: false, duplicates: false });
    gate.setFaults({ refuseWebSocket: false, silent: false, down: false });
    auth.set('open');
    for (const feed of Object.keys(DEFAULT_RATES) as FeedName[]) setRate(feed, defaultRate(feed));
  };

  return {
    hub,
    broker,
    gate,
    auth,
    feeds,
    restart(downMs = 0) {
      if (upTimer !== undefined) clearTimeout(upTimer);
      gate.setFaults({ down: downMs > 0 });
      broker.restart();
      hub.disconnectAll('server_shutdown');
      if (downMs > 0) {
        upTimer = setTimeout(() => {
          upTimer = undefined;
          gate.setFaults({ down: false });
        }, downMs);
      }
    },
    setRate,
    reset,
    stats() {
      const { connections, topics } = hub.stats();
      const brokerStats = broker.stats();
      return {
        epoch: brokerStats.epoch,
        heartbeatMs,
        connections: { ...connections, total: connections.sse + connections.ws + connections.poll },
        sockets: gate.counts(),
        topics,
        faults: { ...broker.faults, ...gate.faults, auth: auth.mode },
        rates: feeds.rates(),
        published: feeds.published(),
        auth: { ...auth.stats(), seen: auth.seen() },
        restarts: brokerStats.restarts,
        duplicatesInjected: brokerStats.duplicatesInjected,
        wsRefused: gate.stats().wsRefused,
      };
    },
    async close() {
      if (upTimer !== undefined) clearTimeout(upTimer);
      for (const lease of rateLeases.values()) clearTimeout(lease);
      feeds.stop();
      await hub.close();
      await broker.close();
    },
  };
}
