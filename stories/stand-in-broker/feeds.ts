/** Scenario feeds the stand-in broker publishes, by name. */
export type FeedName = 'prices' | 'sequence' | 'chat' | 'notifications';

/** A price tick on `prices:BTC` / `prices:ETH`. */
export interface PriceTick {
  symbol: 'BTC' | 'ETH';
  price: number;
  /** Change since the previous tick of this symbol. */
  change: number;
}

/** A numbered tick on `sequence`: `n` increases by one per message, so a gap or a repeat is countable. */
export interface SequenceTick {
  n: number;
}

/** A chat line on `chat/<room>`. */
export interface ChatLine {
  user: string;
  text: string;
}

/** A notification on `notifications`. */
export interface Notification {
  level: 'info' | 'warning';
  text: string;
}

/** Default messages per second of each feed (per symbol for prices, per room for chat). */
export const DEFAULT_RATES: Readonly<Record<FeedName, number>> = { prices: 2, sequence: 10, chat: 0.25, notifications: 0.2 };

/** Highest accepted rate, messages per second. */
export const MAX_RATE = 20_000;

/** Topics each feed publishes on. */
export const FEED_TOPICS: Readonly<Record<FeedName, readonly string[]>> = {
  prices: ['prices:BTC', 'prices:ETH'],
  sequence: ['sequence'],
  chat: ['chat/lobby', 'chat/dev'],
  notifications: ['notifications'],
};

const BOT_LINES = ['anyone tried the long-poll fallback?', 'reconnected, nothing missing', 'who restarted the server?', 'ship it'];
const NOTICES = ['Build finished', 'New follower', 'Disk 80% full', 'Deploy started'];

/** The running feeds. */
export interface Feeds {
  /** Current rates, messages per second. */
  rates(): Record<FeedName, number>;
  /** Change one feed's rate (clamped to 0..{@link MAX_RATE}). */
  setRate(feed: FeedName, perSecond: number): void;
  /** Messages published so far, per topic. */
  published(): Record<string, number>;
  stop(): void;
}

/**
 * Publish the scenario feeds through `publish` on a fixed tick, spreading each feed's rate over the ticks
 * (so thousands per second cost one timer, not thousands).
 * @example
 * const feeds = startFeeds((topic, data) => hub.publish(topic, data));
 * feeds.setRate('prices', 5000);
 */
export function startFeeds(publish: (topic: string, data: unknown) => Promise<unknown>, tickMs = 50): Feeds {
  const rates: Record<FeedName, number> = { ...DEFAULT_RATES };
  const owed: Record<FeedName, number> = { prices: 1, sequence: 1, chat: 1, notifications: 1 };
  const published: Record<string, number> = {};
  const prices = { BTC: 97_000, ETH: 3_400 };
  let sequence = 0;
  let counter = 0;

  const send = (topic: string, data: unknown) => {
    published[topic] = (published[topic] ?? 0) + 1;
    publish(topic, data).catch(() => {
      // A publish refused while the stand-in is "down" (restart fault) is simply not made.
      published[topic] = (published[topic] ?? 1) - 1;
    });
  };

  const make: Record<FeedName, (topic: string) => unknown> = {
    prices(topic) {
      const symbol = topic.endsWith('BTC') ? 'BTC' : 'ETH';
      const change = Math.round((Math.random() - 0.5) * prices[symbol] * 0.002 * 100) / 100;
      prices[symbol] = Math.round((prices[symbol] + change) * 100) / 100;
      return { symbol, price: prices[symbol], change } satisfies PriceTick;
    },
    sequence: () => ({ n: ++sequence }) satisfies SequenceTick,
    chat: () => ({ user: 'bot', text: BOT_LINES[counter++ % BOT_LINES.length] as string }) satisfies ChatLine,
    notifications: () =>
      ({ level: counter % 4 === 2 ? 'warning' : 'info', text: NOTICES[counter++ % NOTICES.length] as string }) satisfies Notification,
  };

  const timer = setInterval(() => {
    for (const feed of Object.keys(rates) as FeedName[]) {
      owed[feed] += (rates[feed] * tickMs) / 1000;
      const count = Math.floor(owed[feed]);
      owed[feed] -= count;
      for (let i = 0; i < count; i++) for (const topic of FEED_TOPICS[feed]) send(topic, make[feed](topic));
    }
  }, tickMs);
  timer.unref?.();

  return {
    rates: () => ({ ...rates }),
    setRate(feed, perSecond) {
      if (!(feed in rates)) throw new Error(`@qwik-realtime/stories: unknown feed ${JSON.stringify(feed)}`);
      rates[feed] = Math.min(MAX_RATE, Math.max(0, Number.isFinite(perSecond) ? perSecond : 0));
    },
    published: () => ({ ...published }),
    stop: () => clearInterval(timer),
  };
}
