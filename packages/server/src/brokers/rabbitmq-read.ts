import type { ChannelModel as Connection, ConsumeMessage } from 'amqplib';
import type { Envelope } from '@qwik-realtime/core/protocol';
import { entryOf } from './rabbitmq-tail.js';

/**
 * Read the messages of a stream queue with offsets `from..to` (markers and repeated ids skipped) through a
 * short-lived consumer; resolves once offset `to` went by. Rejects after `timeoutMs`.
 */
export async function readStreamRange(connection: Connection, queue: string, topic: string, from: number, to: number, timeoutMs: number): Promise<Envelope[]> {
  const out: Envelope[] = [];
  if (to < from) return out;
  const channel = await connection.createChannel();
  channel.on('error', () => undefined);
  try {
    await channel.prefetch(1000);
    const ids = new Set<string>();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${queue} ${from}..${to} took over ${timeoutMs} ms`)), timeoutMs);
      const finish = () => (clearTimeout(timer), resolve());
      channel.on('close', () => (clearTimeout(timer), reject(new Error(`${queue}: channel closed while reading`))));
      void channel
        .consume(
          queue,
          (m: ConsumeMessage | null) => {
            if (!m) return finish();
            const entry = entryOf(m);
            channel.ack(m);
            if (!entry || entry.offset > to) return finish();
            if (entry.kind === 'message' && entry.body && entry.epoch && !ids.has(entry.body.id)) {
              ids.add(entry.body.id);
              const { id, data, timestamp } = entry.body;
              out.push({ id, topic, data: data ?? null, timestamp, offset: entry.offset, epoch: entry.epoch });
            }
            if (entry.offset >= to) finish();
          },
          { noAck: false, arguments: { 'x-stream-offset': from } },
        )
        .catch(reject);
    });
  } finally {
    await channel.close().catch(() => undefined);
  }
  return out;
}
