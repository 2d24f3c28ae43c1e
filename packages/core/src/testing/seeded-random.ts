/**
 * A deterministic `() => number` in [0, 1) (mulberry32), for the client's injectable `backoff.random`:
 * a test that fails can be replayed with the same seed.
 * @example
 * createClient({ url, backoff: { random: seededRandom(42) } });
 */
export function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
