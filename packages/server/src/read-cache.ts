import type { HistoryResult } from './broker.js';

/** How long an answer is reused at most, even on a topic that does not change (history ages by time too). */
const MAX_AGE_MS = 1000;
/**
 * Answers kept per topic at most. Keys are the clients' queries: on a quiet topic, a client naming 100,000
 * distinct cursors would otherwise keep 100,000 answers until the topic changes. Not keeping is always safe.
 */
const MAX_ANSWERS = 256;

interface Topic {
  /** Broker subscriptions of the topic through the sharing layer that are live. */
  watchers: number;
  /** Changes seen (a live message, a publish from here); an answer read before the last one is stale. */
  generation: number;
  answers: Map<string, { result: HistoryResult; at: number }>;
}

/**
 * History answers of the topics this process has a live broker subscription to, kept until the topic changes:
 * while no live message of a topic arrived (and nothing was published on it from here) since a read started,
 * its answer still holds for any later request whose listener is live — what the read did not see has not
 * been delivered yet, so it will reach that listener. Topics nobody here subscribes are never kept: a change
 * to them would go unseen.
 */
export interface ReadCache {
  /** A live broker subscription of `topic` began; returns its end. */
  watch(topic: string): () => void;
  /** `topic` changed: every answer read before now is dropped. */
  changed(topic: string): void;
  /** The change count of `topic`, taken when a read starts (undefined: not watched, do not keep it). */
  generation(topic: string): number | undefined;
  /** Keep `result` for `key` unless `topic` changed since `generation`. */
  keep(topic: string, key: string, generation: number, result: HistoryResult): void;
  /** A kept answer, or undefined. */
  answer(topic: string, key: string): HistoryResult | undefined;
}

/** Create the cache (one per hub). */
export function createReadCache(now: () => number = () => Date.now()): ReadCache {
  const topics = new Map<string, Topic>();
  // One counter for every topic: a topic watched again after a pause never reuses a generation.
  let changes = 0;
  return {
    watch(topic) {
      let state = topics.get(topic);
      if (!state) topics.set(topic, (state = { watchers: 0, generation: ++changes, answers: new Map() }));
      const watched = state;
      watched.watchers++;
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        if (--watched.watchers === 0 && topics.get(topic) === watched) topics.delete(topic);
      };
    },
    changed(topic) {
      const state = topics.get(topic);
      if (!state) return;
      state.generation = ++changes;
      if (state.answers.size > 0) state.answers.clear();
    },
    generation: (topic) => topics.get(topic)?.generation,
    keep(topic, key, generation, result) {
      const state = topics.get(topic);
      if (!state || state.generation !== generation) return;
      const at = now();
      if (state.answers.size >= MAX_ANSWERS) for (const [old, kept] of state.answers) if (at - kept.at > MAX_AGE_MS) state.answers.delete(old);
      if (state.answers.size < MAX_ANSWERS || state.answers.has(key)) state.answers.set(key, { result, at });
    },
    answer(topic, key) {
      const state = topics.get(topic);
      const kept = state?.answers.get(key);
      if (!kept) return undefined;
      if (now() - kept.at <= MAX_AGE_MS) return kept.result;
      state?.answers.delete(key);
      return undefined;
    },
  };
}
