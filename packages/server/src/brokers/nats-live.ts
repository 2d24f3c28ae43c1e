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
  /** Replace the consumer by a fresh one continuing after the last delivered sequence (after a reconnect). */
  restart(): void;
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
  let generation = 0;

  const pump = async (iterator: ConsumerMessages, mine: number) => {
    try {
      for await (const m of iterator) {
        // A replaced consumer may still flush buffered messages: only the current one delivers, each seq once.
        if (mine !== generation || m.seq <= lastSeq) continue;
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
    if (!stopped && mine === generation) scheduleRestart();
  };

  const start = async (fromSeq: number) => {
    const consumer = await js.consumers.get(stream, {
      filter_subjects: subject,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: fromSeq,
    });
    const iterator = await consumer.consume({ max_messages: 256 });
    if (stopped) return void (await iterator.close());
    const mine = ++generation;
    const previous = messages;
    messages = iterator;
    void previous?.close();
    void pump(iterator, mine);
  };

  const scheduleRestart = () => {
    if (stopped || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      restartNow();
    }, options.retryMs ?? 500);
  };

  const restartNow = () => {
    void (async () => {
      const info = await jsm.streams.info(stream);
      // Sequences went backwards: the stream was recreated, and everything in it is new to us.
      if (info.state.last_seq < lastSeq) lastSeq = 0;
      await start(lastSeq + 1);
    })().catch((error: unknown) => {
      onError(error);
      scheduleRestart();
    });
  };

  const ready = (async () => {
    const info = await jsm.streams.info(stream);
    lastSeq = info.state.last_seq;
    await start(lastSeq + 1);
  })();

  return {
    listeners,
    ready,
    restart() {
      if (!stopped) restartNow();
    },
    async stop() {
      stopped = true;
      listeners.clear();
      if (retryTimer) clearTimeout(retryTimer);
      await messages?.close();
    },
  };
}
