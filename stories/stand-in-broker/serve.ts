import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startStandInServer } from './server.js';

/**
 * `pnpm --filter @qwik-realtime/stories serve [--port 6007] [--dir storybook-static]`: the static Storybook
 * build and the stand-in broker on one origin.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '6007' },
    host: { type: 'string', default: '127.0.0.1' },
    dir: { type: 'string', default: fileURLToPath(new URL('../storybook-static', import.meta.url)) },
    heartbeat: { type: 'string', default: '5000' },
  },
});

const running = await startStandInServer({
  port: Number(values.port),
  host: values.host,
  staticDir: values.dir,
  heartbeatMs: Number(values.heartbeat),
});
console.log(`stand-in broker + Storybook at ${running.url} (hub on /realtime, faults on /realtime-control)`);
const stop = () => void running.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
