import type { Envelope, Position, PublishAck } from '@qwik-realtime/core/protocol';

/** The part of a broker's history answer the helpers read (see `Broker.history` in `@qwik-realtime/server`). */
export interface HistoryAnswer {
  messages: Envelope[];
  head: Position;
}

/**
 * What the helpers need of a hub: a `Hub` from `@qwik-realtime/server` fits as it is. Structural, so this
 * package does not depend on the server package.
 */
export interface HubLike {
  readonly options: {
    readonly broker: {
      history(topic: string, query: { last: number }): Promise<HistoryAnswer>;
    };
  };
  publish(topic: string, data: unknown, options?: { id?: string }): Promise<PublishAck>;
}
