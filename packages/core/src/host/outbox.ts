import type { Envelope } from '../protocol/index.js';
import type { HostItem, HostMessage } from './messages.js';

type MessagesItem = Extract<HostItem, { kind: 'messages' }>;

/** One tab's queue in the host: items wait here while the tab's previous batch is on its way. */
export interface Outbox {
  /** Queue an event (subscribed, error, topic-state, conflated) of one subscription, in arrival order. */
  event(item: Exclude<HostItem, MessagesItem>): void;
  /** Queue messages of subscription `sub`; with `last`, only its newest `last` queued messages are kept. */
  messages(sub: number, messages: Envelope[], last: number | undefined): void;
  /** The tab handled the previous batch: the next one may leave. */
  ready(): void;
  /** Forget what is queued for `sub` (it was unsubscribed). */
  forget(sub: number): void;
  /** Drop everything and allow the next batch at once (the tab was released). */
  reset(): void;
}

/**
 * Create a tab's outbox. At most one batch is in flight (`post` sends it; `ready` allows the next), so a
 * tab busy rendering gets one bigger batch instead of a queue of small ones. A subscription with a `last`
 * window (a feed showing N) keeps at most its newest N messages queued across the whole outbox, whatever
 * events sit between them: a burst of 50k costs the tab N messages per frame. Trimmed messages are counted
 * in their item's `skipped`.
 */
export function createOutbox(post: (message: HostMessage) => void): Outbox {
  let items: HostItem[] = [];
  let credit = true;
  /** Per subscription, its messages items in the outbox, oldest first; the last one is still open. */
  const queued = new Map<number, MessagesItem[]>();
  /** Subscriptions whose newest queued item is an event: their next messages start a new item. */
  const closed = new Set<number>();

  const flush = () => {
    if (!credit || !items.length) return;
    const batch = items;
    items = [];
    queued.clear();
    closed.clear();
    credit = false;
    post({ type: 'batch', items: batch });
  };

  const trim = (list: MessagesItem[], last: number) => {
    let excess = list.reduce((sum, item) => sum + item.messages.length, 0) - last;
    for (const item of list) {
      if (excess <= 0) return;
      const cut = Math.min(excess, item.messages.length);
      item.messages.splice(0, cut);
      item.skipped += cut;
      excess -= cut;
    }
  };

  return {
    event(item) {
      closed.add(item.sub);
      items.push(item);
      flush();
    },
    messages(sub, messages, last) {
      let list = queued.get(sub);
      if (!list) queued.set(sub, (list = []));
      let item = list[list.length - 1];
      const afterEvent = closed.delete(sub);
      if (!item || afterEvent) {
        item = { sub, kind: 'messages', messages: [], skipped: 0 };
        list.push(item);
        items.push(item);
      }
      for (const message of messages) item.messages.push(message);
      if (last !== undefined) trim(list, last);
      flush();
    },
    ready() {
      credit = true;
      flush();
    },
    forget(sub) {
      queued.delete(sub);
      closed.delete(sub);
      items = items.filter((item) => item.sub !== sub);
    },
    reset() {
      items = [];
      queued.clear();
      closed.clear();
      credit = true;
    },
  };
}
