import { DeliverPolicy } from '@nats-io/jetstream';
import type { ConsumerMessages, JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Envelope } from '@qwik-realtime/core/protocol';
import { positionOf } from './nats-store.js';

/** Options of {@link createNatsLive}. */
export interface NatsLiveOptions {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  subject: string;
  onError: (error: unknown) => void;
  /** Delay before restarting a consumer that ended. @default 500 */
  retryMs?: number;
}

/** One topic's live tail in this process. */
export interface NatsLive {
  readonly listeners: Set<(message: Envelope) => void>;
  /** Resolves once messages stored after this point are certain to be delivered. */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

/**
 * The live tail of one subject: an ordered consumer starting right after the stream's current last
 * sequence (so nothing published after `ready` can be missed, whenever the server-side consumer appears).
 * The ordered consumer re-creates itself from the last sequence it delivered after reconnects and missed
 * heartbeats; if its iterator ends anyway it is restarted here, from sequence 1 if the stream was recreated
 * (its sequences went backwards), so a new run of the topic is delivered from its start.
 */
export function createNatsLive(options: NatsLiveOptions): NatsLive {
  const { js, jsm, stream, subject, onError } = options;
  const listeners = new Set<(message: Envelope) => void>();
  let lastSeq = 0;
  let stopped = false;
  let messages: ConsumerMessages | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const pump = async (iterator: ConsumerMessages) => {
    try {
      for await (const m of iterator) {
        lastSeq = m.seq;
        if (!positionOf(m.headers)?.offset) continue;
        let message: Envelope;
        try {
          message = m.json<Envelope>();
        } catch (error) {
          onError(error);
          continue;
        }
        for (const listener of listeners) {
          try {
            listener(message);
          } catch (error) {
            onError(error);
          }
        }
      }
    } catch (error) {
      onError(error);
    }
    if (!stopped) scheduleRestart();
  };

  const start = async (fromSeq: number) => {
    const consumer = await js.consumers.get(stream, {
      filter_subjects: subject,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: fromSeq,
    });
    const iterator = await consumer.consume({ max_messages: 256 });
    if (stopped) return void (await iterator.close());
    messages = iterator;
    void pump(iterator);
  };

  const scheduleRestart = () => {
    if (stopped || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void (async () => {
        const info = await jsm.streams.info(stream);
        await start(info.state.last_seq < lastSeq ? 1 : lastSeq + 1);
      })().catch((error: unknown) => {
        onError(error);
        scheduleRestart();
      });
    }, options.retryMs ?? 500);
  };

  const ready = (async () => {
    const info = await jsm.streams.info(stream);
    lastSeq = info.state.last_seq;
    await start(lastSeq + 1);
  })();

  return {
    listeners,
    ready,
    async stop() {
      stopped = true;
      listeners.clear();
      if (retryTimer) clearTimeout(retryTimer);
      await messages?.close();
    },
  };
}
