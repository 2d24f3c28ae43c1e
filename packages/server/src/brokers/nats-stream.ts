import { DiscardPolicy, JetStreamApiError, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

/** How the broker's JetStream stream is made when it does not exist yet. */
export interface NatsStreamConfig {
  name: string;
  prefix: string;
  storage: 'file' | 'memory' | undefined;
  /** `max_msgs_per_subject`; -1 for no cap. */
  historySize: number;
  streamMaxBytes: number | undefined;
  /** `max_age` in ms; 0 keeps messages. */
  ttlMs: number;
  dedupMs: number;
  replicas: number | undefined;
}

/** Use the stream if it exists (as configured), otherwise create it over `<prefix>.>`. */
export async function ensureNatsStream(jsm: JetStreamManager, config: NatsStreamConfig): Promise<void> {
  const { name: stream, prefix, historySize, ttlMs, dedupMs } = config;
  try {
    await jsm.streams.info(stream);
    return;
  } catch (error) {
    if (!(error instanceof JetStreamApiError) || error.code !== 10059) throw error;
  }
  try {
    await jsm.streams.add({
      name: stream,
      subjects: [`${prefix}.>`],
      retention: RetentionPolicy.Limits,
      storage: config.storage === 'memory' ? StorageType.Memory : StorageType.File,
      max_msgs_per_subject: historySize,
      max_bytes: config.streamMaxBytes === undefined ? -1 : Math.max(1, Math.floor(config.streamMaxBytes)),
      max_age: ttlMs > 0 ? nanos(ttlMs) : 0,
      duplicate_window: nanos(dedupMs),
      discard: DiscardPolicy.Old,
      num_replicas: config.replicas ?? 1,
    });
  } catch (error) {
    // Another instance may have created it meanwhile (possibly configured differently): use theirs.
    await jsm.streams.info(stream).catch(() => Promise.reject(error));
  }
}
