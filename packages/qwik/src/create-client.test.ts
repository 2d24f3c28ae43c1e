import { $, noSerialize } from '@builder.io/qwik';
import { createFakeTransport } from '@qwik-realtime/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { createClientFromConfig } from './create-client.js';

describe('createClientFromConfig', () => {
  it('GIVEN transport, getToken$ and debug$ QRLs THEN the client uses that transport, sends the token and reports to the logger', async () => {
    const { transport: fake, server } = createFakeTransport({ name: 'sse' });
    const transport = noSerialize(fake)!;
    const events: string[] = [];
    const client = await createClientFromConfig({
      url: 'http://test.invalid/realtime',
      transports: [$(() => transport)],
      getToken$: $(() => 'secret-token'),
      debug$: $((event: string) => {
        events.push(event);
      }),
      options: { teardownDelayMs: 0 },
    });
    const sub = client.subscribe('t', {});
    await vi.waitFor(() => expect(server.subscribers('t')).toBe(1));
    expect(client.getState().transport).toBe('sse');
    expect(server.tokens).toEqual(['secret-token']);
    await vi.waitFor(() => expect(events.length).toBeGreaterThan(0));
    sub.unsubscribe();
    client.close();
  });
});
