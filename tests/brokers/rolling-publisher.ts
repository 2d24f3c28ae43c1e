/**
 * An open-loop publisher for the rolling-restart test: `rate` messages per second in total, round-robin
 * over `topics`, each with a unique id, through `hub.publish` (server-side, into the broker). A publish that
 * fails is retried with the same id until acknowledged. The published order of a topic is its offset order.
 */
import type { Hub } from '@qwik-realtime/server';

export interface PacedPublisher {
  /** Stop, wait for every publish to be acknowledged, and return each topic's ids in offset order. */
  stop(): Promise<Map<string, string[]>>;
  /** How long it published, ms. */
  elapsedMs(): number;
}

export function createPacedPublisher(hub: Hub, topics: string[], rate: number): PacedPublisher {
  const started = Date.now();
  let stoppedAt: number | undefined;
  let sent = 0;
  const acks = new Map<string, Map<string, number>>(topics.map((topic) => [topic, new Map()]));
  const pending = new Set<Promise<void>>();
  const publish = async (topic: string, id: string, seq: number) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const ack = await hub.publish(topic, { seq }, { id });
        // A retry of a publish that had landed is a duplicate carrying the first offset: same entry.
        acks.get(topic)!.set(id, ack.offset);
        return;
      } catch (error) {
        if (attempt >= 10) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  // Catch up to the schedule on every tick, so a slow tick does not lower the rate.
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - started) * rate) / 1000);
    for (; sent < due; sent++) {
      const topic = topics[sent % topics.length]!;
      const done = publish(topic, `m${sent}`, sent).finally(() => pending.delete(done));
      pending.add(done);
    }
  }, 10);
  return {
    async stop() {
      clearInterval(timer);
      stoppedAt = Date.now();
      while (pending.size) await Promise.all([...pending]);
      return new Map([...acks].map(([topic, ids]) => [topic, [...ids].sort((a, b) => a[1] - b[1]).map(([id]) => id)]));
    },
    elapsedMs: () => (stoppedAt ?? Date.now()) - started,
  };
}
