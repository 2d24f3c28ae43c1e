/**
 * One hub instance of the rolling-restart test, as its own process:
 *   node --import tsx tests/brokers/rolling-hub.ts <redis|nats|rabbitmq> <namespace> <drainMs>
 * Listens on 127.0.0.1:0 and prints `listening <port>`. SIGTERM drains it the way docs/operations.md
 * ("Graceful shutdown") says: stop accepting, `hub.close({ drainMs })`, exit once every connection is gone.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachHub, createHub, createNodeHandler } from '@qwik-realtime/server';
import { rollingBroker } from './rolling-backends.js';
import type { RollingBrokerName } from './rolling-backends.js';

const [name, ns, drain] = process.argv.slice(2) as [RollingBrokerName, string, string];
const drainMs = Number(drain);
const broker = await rollingBroker(name, ns);
const hub = createHub({ broker, onError: (error) => console.error('hub error', error) });
const server = createServer(createNodeHandler(hub));
const detach = attachHub(server, hub, { refuseOtherUpgrades: true });
server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as AddressInfo).port}`));

process.once('SIGTERM', () => {
  const drained = new Promise<void>((resolve) => server.close(() => resolve()));
  void hub
    .close({ drainMs })
    .then(() => {
      detach();
      server.closeIdleConnections();
      return drained;
    })
    .then(() => broker.close())
    .then(() => process.exit(0));
  setTimeout(() => process.exit(1), drainMs + 5000).unref();
});
