import { clientError, toPublishError } from './errors.js';
import type { Publisher, PublisherOptions } from './publish.js';

/** The publishing module (`publish.ts`), however it is loaded. */
export type PublishingModule = Pick<typeof import('./publish.js'), 'createPublisher'>;

/**
 * A publisher whose code is loaded on the first publish, so a client that only listens never loads it.
 * `load` is `import('./publish.js')` for pages (a chunk of its own in an app's build) and the statically
 * imported module in the connection host's worker. A publish that waited for the module rejects, sending
 * nothing, if the client closed meanwhile, or if the module could not be loaded (`disconnected`; the next
 * publish tries again).
 */
export function lazyPublisher(load: () => Promise<PublishingModule>, options: PublisherOptions): Omit<Publisher, 'refuse'> {
  let publisher: Publisher | undefined;
  let loading: Promise<PublishingModule> | undefined;
  /** Bumped by `close()`. */
  let closes = 0;
  return {
    async publish(topic, data, publishOptions) {
      if (!publisher) {
        const before = closes;
        const { createPublisher } = await (loading ??= load()).catch((error: unknown) => {
          // A chunk that failed to load (offline) is fetched again by the next publish.
          loading = undefined;
          throw toPublishError(clientError('disconnected', `@qwik-realtime/core: publishing could not be loaded: ${String(error)}`, topic));
        });
        publisher ??= createPublisher(options);
        if (before !== closes) return publisher.refuse(topic);
      }
      return publisher.publish(topic, data, publishOptions);
    },
    close() {
      closes++;
      publisher?.close();
    },
  };
}
