#!/usr/bin/env node
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { startDemoFeed } from './demo.js';
import { createHub } from './hub.js';
import { attachHub, createNodeHandler } from './node.js';

const USAGE = `Usage: qwik-realtime-server [--port 8787] [--host 127.0.0.1] [--demo] [--heartbeat-ms 15000] [--drain-ms 5000]

Runs a qwik-realtime hub on the in-memory broker:
  GET  /realtime/sse?topic=...    Server-Sent Events
  GET  /realtime/ws               WebSocket
  GET  /realtime/poll?topic=...   long-poll
  POST /realtime/publish          publish { topic, data, id? }
  GET  /metrics                   Prometheus metrics (only with --metrics)
--demo publishes a price ticker on prices:BTC and prices:ETH and a notifications topic.
On SIGTERM/SIGINT it stops accepting connections at once, tells clients to reconnect within --drain-ms
(spread over that window) and exits once every connection is gone (at the latest --drain-ms + 5 s later).`;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    demo: { type: 'boolean', default: false },
    metrics: { type: 'boolean', default: false },
    'heartbeat-ms': { type: 'string' },
    'drain-ms': { type: 'string', default: '5000' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`@qwik-realtime/server: invalid --port ${values.port}\n\n${USAGE}`);
  process.exit(2);
}
const drainMs = Number(values['drain-ms']);
if (!Number.isFinite(drainMs) || drainMs < 0 || drainMs + 5000 >= 2 ** 31) {
  console.error(`@qwik-realtime/server: invalid --drain-ms ${values['drain-ms']}\n\n${USAGE}`);
  process.exit(2);
}

const heartbeatMs = values['heartbeat-ms'] === undefined ? undefined : Number(values['heartbeat-ms']);
if (heartbeatMs !== undefined && !(Number.isInteger(heartbeatMs) && heartbeatMs > 0 && heartbeatMs < 2 ** 31)) {
  console.error(`@qwik-realtime/server: invalid --heartbeat-ms ${values['heartbeat-ms']}\n\n${USAGE}`);
  process.exit(2);
}

const hub = createHub(heartbeatMs === undefined ? {} : { heartbeatMs });
const handler = createNodeHandler(hub);
// Loaded only when asked for: prom-client stays out of a server that does not serve metrics.
const metrics = values.metrics ? (await import('./metrics.js')).createHubMetrics(hub, { broker: 'memory' }) : undefined;
const page = `<!doctype html><meta charset="utf-8"><title>qwik-realtime hub</title>
<h1>qwik-realtime hub</h1><p>Endpoints under <code>${hub.options.path}</code>. Last messages (<code>prices:BTC</code>, <code>prices:ETH</code>, <code>notifications</code>):</p>
<pre id="log"></pre><script>
const es = new EventSource('${hub.options.path}/sse?topic=prices:BTC&topic=prices:ETH&topic=notifications');
const log = document.getElementById('log'); const lines = [];
es.onmessage = (e) => { lines.unshift(e.data); lines.length = Math.min(lines.length, 20); log.textContent = lines.join('\\n'); };
</script>`;
const server = createServer((req, res) =>
  handler(req, res, () => {
    if (metrics && req.url?.split('?', 1)[0] === '/metrics') metrics.nodeHandler(req, res);
    else if (req.url === '/' || req.url === '/index.html') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }),
);
const detach = attachHub(server, hub, { refuseOtherUpgrades: true });
const stopDemo = values.demo ? startDemoFeed(hub) : () => undefined;

server.listen(port, values.host, () => {
  const { port: actual } = server.address() as AddressInfo;
  const origin = `http://${values.host.includes(':') ? `[${values.host}]` : values.host}:${actual}`;
  console.log(`qwik-realtime hub listening on ${origin}${hub.options.path} (try ${origin}${hub.options.path}/sse?topic=prices:BTC)${values.demo ? ' with the demo feed' : ''}`);
});

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`qwik-realtime hub: ${signal}, draining (clients reconnect within ${drainMs} ms)`);
  stopDemo();
  // Close the listener first so a proxy or load balancer sends new connections to another instance.
  const drained = new Promise<void>((resolve) => server.close(() => resolve()));
  void hub
    .close({ drainMs })
    .then(() => {
      detach();
      server.closeIdleConnections();
      return drained;
    })
    .then(() => process.exit(0));
  // In-flight requests (a publish being acknowledged) may finish; whatever is still open then is cut.
  setTimeout(() => {
    server.closeAllConnections();
    process.exit(1);
  }, drainMs + 5000).unref();
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
