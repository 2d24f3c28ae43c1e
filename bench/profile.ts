/**
 * A longer fan-out burst for `--cpu-prof` than `pnpm bench --quick` gives (its bursts last ~0.2 s): 1,000 SSE
 * subscribers, `messages` messages 20 per turn, run twice on a fresh server; the second (warm) run is profiled.
 *
 *   node --import tsx bench/profile.ts [hub|raw-sse] [messages=2000] [--prof=<dir>]
 *
 * Prints deliveries/s of both runs; read the profile's self time per function (Chrome DevTools, or any
 * .cpuprofile reader).
 */
import { buildServer } from './build.js';
import { openCrowd, startServer, useServerBuild } from './load.js';

const [kind = 'hub', count = '2000'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const prof = process.argv.find((a) => a.startsWith('--prof='))?.slice(7);
const subscribers = 1000;
const messages = Number(count);
useServerBuild(await buildServer('current'));
for (let run = 0; run < 2; run++) {
  const server = await startServer(kind, { cpuProf: run === 1 ? prof : undefined });
  const crowd = await openCrowd(server.port, 'sse', subscribers, { wave: async (n) => void (await server.waitForCount(n)) });
  await server.waitForCount(subscribers);
  await server.ask({ cmd: 'burst', messages: 200, batch: 20, size: 85 });
  await crowd.waitFor(200 * subscribers);
  const started = performance.now();
  await server.ask({ cmd: 'burst', messages, batch: 20, size: 85 });
  await crowd.waitFor((200 + messages) * subscribers);
  const seconds = (performance.now() - started) / 1000;
  console.log(`${kind} run ${run}: ${Math.round((messages * subscribers) / seconds)} deliveries/s`);
  crowd.close();
  await server.stop();
}
process.exit(0);
