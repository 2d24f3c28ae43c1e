import type { ErrorCode, SubscribedFrame } from '@qwik-realtime/core/protocol';
import type { Admission } from './admission.js';
import type { TransportName } from './options.js';

/**
 * What one transport has done since the hub started. One object per transport, captured by each session, so
 * the fan-out path bumps a plain field of a stable object: no lookup by name, no allocation per message.
 */
export interface TransportCounters {
  /** Messages written to clients (live and replayed). */
  messagesOut: number;
  /** Subscriptions answered with a replay of stored messages (`subscribed` with `replayed > 0`). */
  replays: number;
  /** Messages those replays announced (`replayed`). */
  replayedMessages: number;
  /** `subscribed` answers with `recovered: false` (the client's position could not be resumed). */
  recoveredFalse: number;
  /** Topics of the long-polls waiting right now (`poll` only: SSE/WebSocket subscriptions live in sessions). */
  waitingTopics: number;
  /** Connections the server closed, per code. */
  disconnects: Partial<Record<ErrorCode, number>>;
}

/** Broker operations that failed (`broker_unavailable`) since start (`hub.stats().brokerErrors`). */
export interface BrokerErrorCounts {
  /** Publishes the broker did not store (also dead letters of reason `broker_unavailable`). */
  publish: number;
  /** Subscriptions (broker subscribe or history read) the broker could not serve. */
  subscribe: number;
}

/** Every counter a hub keeps for `hub.stats()` (internal; the public view is `HubStats`). */
export interface HubCounters {
  transports: Record<TransportName, TransportCounters>;
  /** Publishes accepted (acknowledged, duplicates included) from every entry point. */
  messagesIn: number;
  /** Handshakes and replays refused with `try_again_later` (`maxConcurrentHandshakes`). */
  handshakeRefusals: number;
  /** Subscriptions the broker could not serve ({@link BrokerErrorCounts.subscribe}). */
  brokerSubscribeErrors: number;
}

const transportCounters = (): TransportCounters => ({ messagesOut: 0, replays: 0, replayedMessages: 0, recoveredFalse: 0, waitingTopics: 0, disconnects: {} });

/** Fresh counters, all zero. */
export function createHubCounters(): HubCounters {
  return {
    transports: { sse: transportCounters(), ws: transportCounters(), poll: transportCounters() },
    messagesIn: 0,
    handshakeRefusals: 0,
    brokerSubscribeErrors: 0,
  };
}

/** Count a `subscribed` answer: a replay, or a position that could not be recovered. */
export function countSubscribed(counters: TransportCounters, frame: SubscribedFrame): void {
  if (!frame.recovered) counters.recoveredFalse++;
  else if (frame.replayed > 0) {
    counters.replays++;
    counters.replayedMessages += frame.replayed;
  }
}

/** `admission`, counting its refusals in `counters.handshakeRefusals`. */
export function countingAdmission(admission: Admission, counters: HubCounters): Admission {
  return {
    enter() {
      try {
        return admission.enter();
      } catch (error) {
        counters.handshakeRefusals++;
        throw error;
      }
    },
    inFlight: () => admission.inFlight(),
  };
}
