import { randomBytes, randomUUID } from 'node:crypto';
import type { ChannelModel as Connection, ConfirmChannel } from 'amqplib';
import { EPOCH_HEADER, KIND_HEADER } from './rabbitmq-tail.js';
import type { RabbitTail } from './rabbitmq-tail.js';
import { unavailable, withTimeout } from './rabbitmq-unavailable.js';

const freshEpoch = () => randomBytes(6).toString('base64url');

/** A promise that resolves after `ms`. */
export const sleep = (ms: number): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, ms));

/** What {@link startRabbitRun} needs from the broker. */
export interface RabbitRunInput {
  /** The topic's stream queue. */
  queue: string;
  /** This process's tail of the topic, declaring the stream first when `create`. */
  tailOf: (topic: string, create: boolean) => Promise<RabbitTail | undefined>;
  handles: () => Promise<{ connection: Connection; confirm: ConfirmChannel }>;
  settleMs: number;
  timeoutMs: number;
}

/** A tail whose run has an epoch: writes the marker (offset 0) under a lock when the stream is new. */
export async function startRabbitRun(topic: string, input: RabbitRunInput): Promise<RabbitTail> {
  const { queue, tailOf, handles, settleMs, timeoutMs } = input;
  for (let attempt = 0; attempt < 50; attempt++) {
    const tail = (await tailOf(topic, true)) as RabbitTail;
    if (tail.head().epoch) return tail;
    const { connection, confirm } = await handles();
    const lock = await connection.createChannel();
    lock.on('error', () => undefined);
    try {
      // An exclusive queue is a mutex that a crashed holder releases with its connection.
      await lock.assertQueue(`${queue}.lock`, { exclusive: true, autoDelete: true, durable: false });
    } catch {
      await sleep(20 + Math.floor(Math.random() * 30));
      continue;
    }
    try {
      await sleep(settleMs);
      if (!tail.head().epoch && !tail.gone) {
        const token = randomUUID();
        const marked = tail.waitFor(token);
        const headers = { [EPOCH_HEADER]: freshEpoch(), [KIND_HEADER]: 'marker' };
        confirm.sendToQueue(queue, Buffer.from(''), { messageId: token, headers, persistent: true });
        await withTimeout(confirm.waitForConfirms(), timeoutMs, 'marker confirm');
        await withTimeout(marked, timeoutMs, 'marker');
      }
    } finally {
      await lock.deleteQueue(`${queue}.lock`).catch(() => undefined);
      await lock.close().catch(() => undefined);
    }
  }
  throw unavailable(`could not start a run on ${topic}`);
}
