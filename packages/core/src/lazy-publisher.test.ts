import { describe, expect, it, vi } from 'vitest';
import type { Connection } from './connection.js';
import { lazyPublisher, type PublishingModule } from './lazy-publisher.js';
import { resolvePlatform } from './platform.js';
import type { PublishRequest } from './protocol/frames.js';
import * as publishing from './publish.js';

/** A connection whose open session acknowledges every publish at once, remembering what it was sent. */
function acknowledging() {
  const sent: PublishRequest[] = [];
  const session = {
    publish: (request: PublishRequest) => {
      sent.push(request);
      return Promise.resolve({ id: request.id, topic: request.topic, offset: sent.length, epoch: 'e1', timestamp: 0, duplicate: false });
    },
  };
  const connection = { session: () => session } as unknown as Connection;
  return { sent, options: { url: '/realtime', platform: resolvePlatform(), connection, timeoutMs: 1000, retries: 0 } };
}

describe('lazyPublisher', () => {
  it('GIVEN the publishing chunk failed to load (offline) WHEN publishing again THEN it is loaded again and the publish goes out', async () => {
    const { sent, options } = acknowledging();
    const load = vi.fn<() => Promise<PublishingModule>>().mockRejectedValueOnce(new Error('chunk failed to load')).mockResolvedValue(publishing);
    const publisher = lazyPublisher(load, options);
    await expect(publisher.publish('t', 1)).rejects.toMatchObject({ code: 'disconnected', topic: 't', message: expect.stringContaining('chunk failed to load') });
    await expect(publisher.publish('t', 2)).resolves.toMatchObject({ topic: 't', offset: 1 });
    expect(load).toHaveBeenCalledTimes(2);
    expect(sent.map((request) => request.data)).toEqual([2]);
  });

  it('GIVEN the module loaded WHEN publishing THEN it is not loaded again and the publish is sent at once, before any await', async () => {
    const { sent, options } = acknowledging();
    const load = vi.fn(() => Promise.resolve(publishing));
    const publisher = lazyPublisher(load, options);
    await publisher.publish('t', 'first');
    const second = publisher.publish('t', 'second');
    expect(sent.map((request) => request.data)).toEqual(['first', 'second']);
    await second;
    expect(load).toHaveBeenCalledTimes(1);
  });
});
