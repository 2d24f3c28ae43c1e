import { $ } from '@builder.io/qwik';
import { createWorkerClient } from '@qwik-realtime/core/host';
import type { HostQrl } from './config.js';

/**
 * Run the endpoint's connection off the main thread, in the core's connection host: a SharedWorker shared
 * by every tab of the browser profile (else a dedicated Worker, else the page), delivering once per
 * animation frame; the hooks do not change. Only the transports' names cross to the worker; `getToken$`
 * keeps running in the page. Importing it is what puts the worker host in the app's bundle.
 * @example
 * import { workerHost } from '@qwik-realtime/qwik/worker';
 * <RealtimeProvider url="/realtime" transports={[sse]} host={workerHost} />
 */
export const workerHost: HostQrl = /*#__PURE__*/ $((init) => createWorkerClient(init));
