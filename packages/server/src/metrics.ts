import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Principal } from './auth.js';
import { DEAD_LETTER_REASONS } from './dead-letter.js';
import type { Hub, HubStats } from './hub.js';

/** Options of {@link createHubMetrics}. */
export interface HubMetricsOptions {
  /**
   * The registry to add the hub's metrics to; pass prom-client's global `register` to serve them next to your
   * own and `collectDefaultMetrics()`. @default a new `Registry` of its own
   */
  registry?: Registry;
  /** Prefix of every metric name. @default 'qwik_realtime_' */
  prefix?: string;
  /**
   * The `broker` label: which broker the hub runs on (`memory`, `redis`, `nats`, `rabbitmq`, ...).
   * @default the broker's `kind` (set by the built-in brokers), else `'unknown'`
   */
  broker?: string;
  /** The path {@link HubMetrics.nodeHandler} and {@link HubMetrics.fetchHandler} answer. @default '/metrics' */
  path?: string;
}

/** A hub's Prometheus metrics (see {@link createHubMetrics}). */
export interface HubMetrics {
  /** The registry holding the hub's metrics. */
  readonly registry: Registry;
  /** The `Content-Type` of {@link HubMetrics.metrics}'s text. */
  readonly contentType: string;
  /** Every metric of the registry in Prometheus text format (values read from `hub.stats()` now). */
  metrics(): Promise<string>;
  /**
   * A Node/Connect handler answering `GET {path}` with the metrics; other requests go to `next` (or get a
   * 404 without it).
   */
  nodeHandler(req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void;
  /** A Fetch-API handler: the metrics response for `GET {path}`, `undefined` for any other request. */
  fetchHandler(request: Request): Promise<Response | undefined>;
}

type Sample<L extends string> = [labels: Partial<Record<L, string>>, value: number];

/**
 * Prometheus metrics of a hub, with `prom-client`. Nothing is counted twice and nothing runs per message:
 * every metric is read from one `hub.stats()` snapshot when the registry is scraped. Serving them is
 * opt-in: mount {@link HubMetrics.nodeHandler} or {@link HubMetrics.fetchHandler} where you want them
 * (the standalone server: `--metrics`). Import from `@qwik-realtime/server/metrics`, the only entry that
 * loads `prom-client`.
 * @example
 * const metrics = createHubMetrics(hub);
 * const server = http.createServer((req, res) => handler(req, res, () => metrics.nodeHandler(req, res)));
 */
export function createHubMetrics<P extends Principal>(hub: Hub<P>, options: HubMetricsOptions = {}): HubMetrics {
  const registry = options.registry ?? new Registry();
  const prefix = options.prefix ?? 'qwik_realtime_';
  const path = options.path ?? '/metrics';
  const kind = (hub.options.broker as { kind?: unknown }).kind;
  const broker = options.broker ?? (typeof kind === 'string' ? kind : 'unknown');

  // One snapshot per scrape: the registry calls every `collect` in the same synchronous turn.
  let snapshot: HubStats | undefined;
  const stats = (): HubStats => {
    if (!snapshot) {
      snapshot = hub.stats();
      queueMicrotask(() => (snapshot = undefined));
    }
    return snapshot;
  };
  const perTransport = (record: Record<string, number>): Sample<'transport'>[] => Object.entries(record).map(([transport, value]) => [{ transport }, value]);

  const gauge = <L extends string>(name: string, help: string, labelNames: L[], read: (s: HubStats) => Sample<L>[]) =>
    new Gauge<L>({
      name: prefix + name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const [labels, value] of read(stats())) this.set(labels, value);
      },
    });
  const counter = <L extends string>(name: string, help: string, labelNames: L[], read: (s: HubStats) => Sample<L>[]) =>
    new Counter<L>({
      name: prefix + name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const [labels, value] of read(stats())) this.inc(labels, value);
      },
    });

  gauge('info', 'Always 1; labels describe the hub.', ['broker'], () => [[{ broker }, 1]]);
  gauge('connections', 'Open connections (poll: long-polls waiting now).', ['transport'], (s) => perTransport(s.connections));
  gauge('subscriptions', 'Topic subscriptions of open connections (poll: of waiting long-polls).', ['transport'], (s) => perTransport(s.subscriptions));
  gauge('topics', 'Topics with at least one local subscriber.', [], (s) => [[{}, Object.keys(s.topics).length]]);
  counter('messages_in_total', 'Publishes accepted (acknowledged, duplicates included).', ['broker'], (s) => [[{ broker }, s.messagesIn]]);
  counter('messages_out_total', 'Messages written to clients, live and replayed.', ['transport'], (s) => perTransport(s.messagesOut));
  counter('replays_total', 'Subscriptions answered with a replay of stored messages.', ['transport'], (s) => perTransport(s.replays));
  counter('replayed_messages_total', 'Messages announced by those replays.', ['transport'], (s) => perTransport(s.replayedMessages));
  counter('recovered_false_total', 'subscribed answers with recovered: false (position not resumable).', ['transport'], (s) => perTransport(s.recoveredFalse));
  counter('disconnects_total', 'Connections closed by the server, per error code (slow_consumer: cut for falling behind).', ['transport', 'code'], (s) =>
    Object.entries(s.disconnectsByTransport).flatMap(([transport, codes]) =>
      // Slow-consumer cuts are what operators alert on: present (0) from the first scrape on SSE and WebSocket.
      Object.entries(transport === 'poll' ? codes : { slow_consumer: 0, ...codes }).map(([code, value]): Sample<'transport' | 'code'> => [{ transport, code }, value ?? 0]),
    ),
  );
  counter('rate_limited_total', 'Operations refused by a token bucket, per bucket scope.', ['scope'], (s) => Object.entries(s.rateLimited).map(([scope, value]) => [{ scope }, value]));
  counter('dead_letters_total', 'Publishes rejected, per dead-letter reason.', ['reason'], (s) => DEAD_LETTER_REASONS.map((reason) => [{ reason }, s.deadLetters[reason] ?? 0]));
  counter('handshake_refusals_total', 'Handshakes and replays refused with try_again_later (maxConcurrentHandshakes).', ['code'], (s) => [[{ code: 'try_again_later' }, s.handshakeRefusals]]);
  gauge('handshakes_in_flight', 'Handshakes and replays holding a slot now.', [], (s) => [[{}, s.handshakesInFlight]]);
  counter('broker_errors_total', 'Broker operations that failed (broker_unavailable).', ['broker', 'operation'], (s) =>
    Object.entries(s.brokerErrors).map(([operation, value]) => [{ broker, operation }, value]),
  );

  const isScrape = (method: string | undefined, url: string | undefined) => method === 'GET' && (url ?? '/').split('?', 1)[0] === path;
  return {
    registry,
    contentType: registry.contentType,
    metrics: () => registry.metrics(),
    nodeHandler(req, res, next) {
      if (!isScrape(req.method, req.url)) {
        if (next) return next();
        return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      }
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(text),
        (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`@qwik-realtime/server: metrics failed: ${String(error)}`),
      );
    },
    async fetchHandler(request) {
      if (!isScrape(request.method, new URL(request.url).pathname)) return undefined;
      return new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' } });
    },
  };
}
