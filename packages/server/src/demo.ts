import type { Hub } from './hub.js';

/** Options of {@link startDemoFeed}. */
export interface DemoFeedOptions {
  /** Price tick interval, ms. @default 1000 */
  tickMs?: number;
  /** Notification interval, ms. @default 5000 */
  notifyMs?: number;
}

/**
 * Publish a demo feed: random-walk prices on `prices:BTC` and `prices:ETH` every `tickMs`, and a
 * `notifications` message every `notifyMs`. Returns a function that stops it.
 */
export function startDemoFeed(hub: Pick<Hub, 'publish'> & { options: { onError(error: unknown): void } }, options: DemoFeedOptions = {}): () => void {
  const prices: Record<string, number> = { BTC: 97_000, ETH: 3_400 };
  let notice = 0;
  const report = (error: unknown) => hub.options.onError(error);
  const tick = setInterval(() => {
    for (const [symbol, price] of Object.entries(prices)) {
      const next = Math.max(1, price * (1 + (Math.random() - 0.5) / 200));
      prices[symbol] = next;
      hub.publish(`prices:${symbol}`, { symbol, price: Math.round(next * 100) / 100 }).catch(report);
    }
  }, options.tickMs ?? 1000);
  const notify = setInterval(() => {
    notice++;
    hub.publish('notifications', { text: `Demo notification #${notice}`, level: notice % 3 === 0 ? 'warning' : 'info' }).catch(report);
  }, options.notifyMs ?? 5000);
  return () => {
    clearInterval(tick);
    clearInterval(notify);
  };
}
