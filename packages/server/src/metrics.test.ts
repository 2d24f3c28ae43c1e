import { Registry } from 'prom-client';
import { describe, expectTypeOf, test } from 'vitest';
import { createHub } from './index.js';
import { createHubMetrics } from './metrics.js';
import type { HubMetrics } from './metrics.js';

describe('createHubMetrics types', () => {
  test('takes a hub of any principal type and returns the registry and handlers', async () => {
    const hub = createHub<{ id: string }>({ authenticate: () => ({ id: 'u' }) });
    const metrics = createHubMetrics(hub, { registry: new Registry(), prefix: 'app_', broker: 'redis', path: '/ops/metrics' });
    expectTypeOf(metrics).toEqualTypeOf<HubMetrics>();
    expectTypeOf(metrics.registry).toEqualTypeOf<Registry>();
    expectTypeOf(metrics.fetchHandler).returns.toEqualTypeOf<Promise<Response | undefined>>();
    await hub.close();
  });
});
