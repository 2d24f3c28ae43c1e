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
 * heartbeats; after a reconnect, or if its iterator ends, it is replaced here, from sequence 1 if the stream
 * was recreated (another creation time), so a new run of the topic is delivered from its start.
 */
export function createNatsLive(options: NatsLiveOptions): NatsLive {
  const { js, jsm, stream, subject, onError } = options;
  const listeners = new Set<(message: Envelope) => void>();
  let lastSeq = 0;
  let stopped = false;
  let messages: ConsumerMessages | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;
  let created = '';

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

  const start = async (fromSeq: number, mine: number) => {
    const consumer = await js.consumers.get(stream, {
      filter_subjects: subject,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: fromSeq,
    });
    const iterator = await consumer.consume({ max_messages: 256 });
    if (stopped || mine !== generation) return void (await iterator.close());
    messages = iterator;
    void pump(iterator, mine);
  };

  /** Retire the current consumer at once: from here on only the next generation may deliver. */
  const nextGeneration = () => {
    const previous = messages;
    messages = undefined;
    void previous?.close();
    return ++generation;
  };

  const scheduleRestart = () => {
    if (stopped || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      restartNow();
    }, options.retryMs ?? 500);
  };

  const restartNow = () => {
    const mine = nextGeneration();
    void (async () => {
      const info = await jsm.streams.info(stream);
      // Another creation time (or sequences gone backwards): the stream was recreated, all of it is new to us.
      if (info.created !== created || info.state.last_seq < lastSeq) {
        created = info.created;
        lastSeq = 0;
      }
      await start(lastSeq + 1, mine);
    })().catch((error: unknown) => {
      onError(error);
      if (mine === generation) scheduleRestart();
    });
  };

  const ready = (async () => {
    const info = await jsm.streams.info(stream);
    lastSeq = info.state.last_seq;
    created = info.created;
    await start(lastSeq + 1, nextGeneration());
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
